"""relu_backward built from the student's own helpers _x and _dout, named like old test-cell variables."""
import numpy as np


def _x(cache):
    return np.asarray(cache, dtype=np.float64)


def _dout(dout):
    return np.array(dout, dtype=np.float64)


def relu_backward(dout, cache):
    dx = _dout(dout)
    dx[_x(cache) <= 0] = 0.0
    return dx
