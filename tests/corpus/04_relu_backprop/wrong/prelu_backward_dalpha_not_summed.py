"""prelu_backward returns dalpha per example, shape (N, D), instead of summing over the batch."""
import numpy as np


def prelu_backward(dout, cache):
    x, alpha = cache
    dout = np.asarray(dout, dtype=np.float64)
    dx = dout * np.where(x > 0, 1.0, alpha)
    dalpha = dout * np.where(x > 0, 0.0, x)
    return dx, dalpha
