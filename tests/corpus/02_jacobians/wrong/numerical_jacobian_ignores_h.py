"""Uses a fixed step of 1e-5 whatever h the caller passes."""
import numpy as np


def numerical_jacobian(f, x, h=1e-5):
    step_size = 1e-5
    x = np.array(x, dtype=np.float64)
    m = np.asarray(f(x)).size
    J = np.zeros((m, x.size))
    for j in range(x.size):
        step = np.zeros(x.size)
        step[j] = step_size
        step = step.reshape(x.shape)
        f_plus = np.asarray(f(x + step), dtype=np.float64).reshape(-1)
        f_minus = np.asarray(f(x - step), dtype=np.float64).reshape(-1)
        J[:, j] = (f_plus - f_minus) / (2 * step_size)
    return J
