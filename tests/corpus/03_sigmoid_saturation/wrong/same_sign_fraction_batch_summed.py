"""Checks the sign agreement of the gradient summed over the batch, h.T @ dz, instead of each example's own gradient."""
import numpy as np


def same_sign_fraction(h, dz):
    summed = np.asarray(h, dtype=np.float64).T @ np.asarray(dz, dtype=np.float64)
    return float(np.mean(np.all(summed > 0, axis=0) | np.all(summed < 0, axis=0)))
