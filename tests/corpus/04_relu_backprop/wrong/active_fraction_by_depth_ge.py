"""active_fraction_by_depth counts entries exactly at 0 as active (z >= 0 instead of z > 0)."""
import numpy as np


def active_fraction_by_depth(x, weights):
    h = np.asarray(x, dtype=np.float64)
    fractions = []
    for W in weights:
        z = h @ np.asarray(W, dtype=np.float64)
        fractions.append(np.mean(z >= 0))
        h = np.maximum(z, 0.0)
    return np.array(fractions)
