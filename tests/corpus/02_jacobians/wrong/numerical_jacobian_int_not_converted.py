"""Nudges a copy of x in place without converting it to float64, so an int x never moves."""
import numpy as np


def numerical_jacobian(f, x, h=1e-5):
    x = np.array(x)
    flat = x.reshape(-1)
    m = np.asarray(f(x)).size
    J = np.zeros((m, x.size))
    for j in range(x.size):
        old = flat[j]
        flat[j] = old + h
        f_plus = np.asarray(f(x), dtype=np.float64).reshape(-1)
        flat[j] = old - h
        f_minus = np.asarray(f(x), dtype=np.float64).reshape(-1)
        flat[j] = old
        J[:, j] = (f_plus - f_minus) / (2 * h)
    return J
