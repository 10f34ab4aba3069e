"""prelu_backward takes the positive branch at x == 0 (x >= 0): dx = dout instead of alpha * dout."""
import numpy as np


def prelu_backward(dout, cache):
    x, alpha = cache
    dout = np.asarray(dout, dtype=np.float64)
    dx = dout * np.where(x >= 0, 1.0, alpha)
    dalpha = np.sum(dout * np.where(x >= 0, 0.0, x), axis=0)
    return dx, dalpha
