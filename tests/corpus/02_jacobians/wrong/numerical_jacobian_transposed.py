"""Returns the Jacobian transposed, shape (n, m): one row per input instead of one per output."""
import numpy as np


def numerical_jacobian(f, x, h=1e-5):
    x = np.array(x, dtype=np.float64)
    rows = []
    for j in range(x.size):
        step = np.zeros(x.size)
        step[j] = h
        step = step.reshape(x.shape)
        f_plus = np.asarray(f(x + step), dtype=np.float64).reshape(-1)
        f_minus = np.asarray(f(x - step), dtype=np.float64).reshape(-1)
        rows.append((f_plus - f_minus) / (2 * h))
    return np.array(rows)
