"""relu_backward on a float copy of dout, masked in place: the caller's dout is untouched."""
import numpy as np


def relu_backward(dout, cache):
    x = cache
    dx = np.array(dout, dtype=np.float64)
    dx[x <= 0] = 0.0
    return dx
