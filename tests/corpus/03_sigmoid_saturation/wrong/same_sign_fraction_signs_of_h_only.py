"""Looks only at the signs of each row of h and ignores dz, so a pair with dz[n, j] == 0 still counts."""
import numpy as np


def same_sign_fraction(h, dz):
    h = np.asarray(h, dtype=np.float64)
    return float(np.mean(np.all(h > 0, axis=1) | np.all(h < 0, axis=1)))
