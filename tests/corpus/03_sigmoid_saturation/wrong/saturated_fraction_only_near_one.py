"""Counts only the outputs near 1, forgetting that outputs near 0 are saturated too."""
import numpy as np


def saturated_fraction(s, eps=0.05):
    s = np.asarray(s, dtype=np.float64)
    return float(np.mean(s >= 1.0 - eps))
