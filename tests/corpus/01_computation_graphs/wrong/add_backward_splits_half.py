"""The add gate splits dout in half between its inputs instead of giving each all of it."""
import numpy as np


def add_backward(dout):
    dout = np.asarray(dout, dtype=np.float64)
    return dout / 2, dout / 2
