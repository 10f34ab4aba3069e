"""elu_backward takes the positive branch at x == 0 (x >= 0): gradient 1 instead of alpha."""
import numpy as np


def elu_backward(dout, cache):
    x, out, alpha = cache
    dout = np.asarray(dout, dtype=np.float64)
    return dout * np.where(x >= 0, 1.0, out + alpha)
