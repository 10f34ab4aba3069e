"""Applies tanh again to the cached output t, as if the cache held the input x."""
import numpy as np


def tanh_backward(dout, cache):
    t = np.tanh(cache)
    return np.asarray(dout, dtype=np.float64) * (1.0 - t ** 2)
