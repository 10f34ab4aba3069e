"""Measures each output's distance to the nearer end, min(s, 1 - s), and counts those within eps."""
import numpy as np


def saturated_fraction(s, eps=0.05):
    s = np.asarray(s, dtype=np.float64)
    return np.count_nonzero(np.minimum(s, 1.0 - s) <= eps) / s.size
