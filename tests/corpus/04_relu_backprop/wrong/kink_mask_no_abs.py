"""kink_mask compares x, not abs(x), with h: every negative entry is marked."""
import numpy as np


def kink_mask(x, h=1e-5):
    return np.asarray(x, dtype=np.float64) < h
