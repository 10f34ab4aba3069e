"""prelu_backward forgets the chain rule in dalpha: it sums the local derivative x without dout."""
import numpy as np


def prelu_backward(dout, cache):
    x, alpha = cache
    dout = np.asarray(dout, dtype=np.float64)
    dx = dout * np.where(x > 0, 1.0, alpha)
    dalpha = np.sum(np.where(x > 0, 0.0, x), axis=0)
    return dx, dalpha
