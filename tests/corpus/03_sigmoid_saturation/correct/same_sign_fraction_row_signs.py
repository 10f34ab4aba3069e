"""Counts without building the (N, D, H) array: a pair agrees when h's row has one strict sign and dz[n, j] is not 0."""
import numpy as np


def same_sign_fraction(h, dz):
    h = np.asarray(h, dtype=np.float64)
    dz = np.asarray(dz, dtype=np.float64)
    one_sign_row = np.all(h > 0, axis=1) | np.all(h < 0, axis=1)
    agree = one_sign_row[:, None] & (dz != 0)
    return agree.sum() / agree.size
