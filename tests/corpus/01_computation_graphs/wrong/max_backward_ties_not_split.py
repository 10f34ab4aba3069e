"""A tie sends all of dout to x (x >= y) instead of splitting it evenly."""
import numpy as np


def max_backward(x, y, dout):
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    dout = np.asarray(dout, dtype=np.float64)
    return dout * (x >= y), dout * (y > x)
