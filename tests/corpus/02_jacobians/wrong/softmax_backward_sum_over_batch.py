"""Takes the dot product of s and dout over the batch axis (axis 0) instead of over the classes."""
import numpy as np


def softmax_backward(dout, s):
    dout = np.asarray(dout, dtype=np.float64)
    s = np.asarray(s, dtype=np.float64)
    return s * (dout - np.sum(dout * s, axis=0, keepdims=True))
