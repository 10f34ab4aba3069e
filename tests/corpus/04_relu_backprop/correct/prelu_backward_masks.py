"""prelu_backward with an explicit negative mask and a matrix-style column sum."""
import numpy as np


def prelu_backward(dout, cache):
    x, alpha = cache
    dout = np.asarray(dout, dtype=np.float64)
    negative = x <= 0
    dx = np.where(negative, alpha * dout, dout)
    dalpha = np.ones(x.shape[0]) @ (dout * x * negative)
    return dx, dalpha
