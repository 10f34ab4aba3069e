"""The max gate routes dout to the smaller input instead of the larger."""
import numpy as np


def max_backward(x, y, dout):
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    dout = np.asarray(dout, dtype=np.float64)
    tie = 0.5 * (x == y)
    return dout * ((x < y) + tie), dout * ((y < x) + tie)
