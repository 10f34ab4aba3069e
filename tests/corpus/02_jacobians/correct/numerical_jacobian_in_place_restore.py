"""Nudges one entry of a float64 copy in place and restores it, filling the Jacobian column by column."""
import numpy as np


def numerical_jacobian(f, x, h=1e-5):
    x = np.array(x, dtype=np.float64)
    columns = []
    for index in np.ndindex(x.shape):
        original = x[index]
        x[index] = original + h
        f_plus = np.array(f(x), dtype=np.float64).ravel()
        x[index] = original - h
        f_minus = np.array(f(x), dtype=np.float64).ravel()
        x[index] = original
        columns.append((f_plus - f_minus) / (2 * h))
    return np.stack(columns, axis=1)
