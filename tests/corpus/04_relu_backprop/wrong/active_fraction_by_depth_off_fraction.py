"""active_fraction_by_depth returns the fraction of units that are off (the zeros) instead of on."""
import numpy as np


def active_fraction_by_depth(x, weights):
    h = np.asarray(x, dtype=np.float64)
    fractions = []
    for W in weights:
        h = np.maximum(h @ np.asarray(W, dtype=np.float64), 0.0)
        fractions.append(np.mean(h == 0))
    return np.array(fractions)
