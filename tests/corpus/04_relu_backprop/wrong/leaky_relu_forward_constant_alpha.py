"""leaky_relu_forward outputs the constant alpha below 0 instead of alpha * x."""
import numpy as np


def leaky_relu_forward(x, alpha=0.01):
    x = np.asarray(x, dtype=np.float64)
    return np.where(x > 0, x, alpha), (x, alpha)
