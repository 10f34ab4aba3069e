"""Subtracts the row sums from dout in place, changing the caller's array."""
import numpy as np


def softmax_backward(dout, s):
    s = np.asarray(s, dtype=np.float64)
    dout -= np.sum(dout * s, axis=1, keepdims=True)
    return s * dout
