"""max_backward written with np.where and an explicit half-share for ties."""
import numpy as np


def max_backward(x, y, dout):
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    dout = np.asarray(dout, dtype=np.float64)
    dx = np.where(x > y, dout, np.where(x == y, 0.5 * dout, 0.0))
    dy = np.where(y > x, dout, np.where(x == y, 0.5 * dout, 0.0))
    return dx, dy
