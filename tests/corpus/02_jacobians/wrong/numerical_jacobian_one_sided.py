"""One-sided difference (f(x + h) - f(x)) / h: accurate only to O(h)."""
import numpy as np


def numerical_jacobian(f, x, h=1e-5):
    x = np.array(x, dtype=np.float64)
    f0 = np.asarray(f(x), dtype=np.float64).reshape(-1)
    J = np.zeros((f0.size, x.size))
    for j in range(x.size):
        step = np.zeros(x.size)
        step[j] = h
        J[:, j] = (np.asarray(f(x + step.reshape(x.shape)), dtype=np.float64).reshape(-1) - f0) / h
    return J
