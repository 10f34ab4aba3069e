"""Writes the derivative expanded: dout * (s - s**2)."""
import numpy as np


def sigmoid_backward(dout, cache):
    s = cache
    return np.asarray(dout, dtype=np.float64) * (s - s ** 2)
