"""prelu_backward sums dalpha over the columns (axis=1) instead of over the batch (axis=0)."""
import numpy as np


def prelu_backward(dout, cache):
    x, alpha = cache
    dout = np.asarray(dout, dtype=np.float64)
    dx = dout * np.where(x > 0, 1.0, alpha)
    dalpha = np.sum(dout * np.where(x > 0, 0.0, x), axis=1)
    return dx, dalpha
