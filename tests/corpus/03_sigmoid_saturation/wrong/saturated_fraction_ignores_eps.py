"""Hard-codes 0.05 and ignores the eps argument."""
import numpy as np


def saturated_fraction(s, eps=0.05):
    s = np.asarray(s, dtype=np.float64)
    return float(np.mean((s <= 0.05) | (s >= 0.95)))
