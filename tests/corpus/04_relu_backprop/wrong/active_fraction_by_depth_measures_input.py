"""active_fraction_by_depth measures each layer's input h_l instead of its pre-activation z_l (off by one)."""
import numpy as np


def active_fraction_by_depth(x, weights):
    h = np.asarray(x, dtype=np.float64)
    fractions = []
    for W in weights:
        fractions.append(np.mean(h > 0))
        h = np.maximum(h @ np.asarray(W, dtype=np.float64), 0.0)
    return np.array(fractions)
