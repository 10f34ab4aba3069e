"""prelu_forward as the positive part plus alpha times the negative part."""
import numpy as np


def prelu_forward(x, alpha):
    x = np.asarray(x, dtype=np.float64)
    alpha = np.asarray(alpha, dtype=np.float64)
    return np.maximum(x, 0.0) + alpha * np.minimum(x, 0.0), (x, alpha)
