"""Returns the number of saturated outputs instead of their fraction."""
import numpy as np


def saturated_fraction(s, eps=0.05):
    s = np.asarray(s, dtype=np.float64)
    return int(np.count_nonzero((s <= eps) | (s >= 1.0 - eps)))
