"""Nudges the caller's x in place and never puts the entries back."""
import numpy as np


def numerical_jacobian(f, x, h=1e-5):
    x = np.asarray(x, dtype=np.float64)  # no copy when x is already float64
    flat = x.reshape(-1)
    m = np.asarray(f(x)).size
    J = np.zeros((m, x.size))
    for j in range(x.size):
        old = flat[j]
        flat[j] = old + h
        f_plus = np.asarray(f(x), dtype=np.float64).reshape(-1)
        flat[j] = old - h
        f_minus = np.asarray(f(x), dtype=np.float64).reshape(-1)
        J[:, j] = (f_plus - f_minus) / (2 * h)
    return J
