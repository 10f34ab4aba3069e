"""Uses 1 - t instead of 1 - t**2."""
import numpy as np


def tanh_backward(dout, cache):
    t = cache
    return np.asarray(dout, dtype=np.float64) * (1.0 - t)
