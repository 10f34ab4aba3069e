"""prelu_forward outputs the slope alpha itself below 0 instead of alpha * x."""
import numpy as np


def prelu_forward(x, alpha):
    x = np.asarray(x, dtype=np.float64)
    alpha = np.asarray(alpha, dtype=np.float64)
    return np.where(x > 0, x, alpha + 0 * x), (x, alpha)
