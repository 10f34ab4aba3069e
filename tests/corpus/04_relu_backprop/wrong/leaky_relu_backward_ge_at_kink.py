"""leaky_relu_backward takes the positive branch at x == 0 (x >= 0): gradient 1 instead of alpha."""
import numpy as np


def leaky_relu_backward(dout, cache):
    x, alpha = cache
    dout = np.asarray(dout, dtype=np.float64)
    return np.where(x >= 0, dout, alpha * dout)
