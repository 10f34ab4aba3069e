"""Averages over axis 0 only, returning one fraction per unit (column) instead of one number."""
import numpy as np


def saturated_fraction(s, eps=0.05):
    s = np.asarray(s, dtype=np.float64)
    return np.mean((s <= eps) | (s >= 1.0 - eps), axis=0)
