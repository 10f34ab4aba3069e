"""A tie gives no gradient to either input."""
import numpy as np


def max_backward(x, y, dout):
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    dout = np.asarray(dout, dtype=np.float64)
    return dout * (x > y), dout * (y > x)
