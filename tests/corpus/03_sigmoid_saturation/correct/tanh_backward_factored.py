"""Factors the derivative: dout * (1 - t) * (1 + t)."""
import numpy as np


def tanh_backward(dout, cache):
    t = cache
    return np.asarray(dout, dtype=np.float64) * (1.0 - t) * (1.0 + t)
