"""leaky_relu_backward scaling a float copy of dout in place."""
import numpy as np


def leaky_relu_backward(dout, cache):
    x, alpha = cache
    dx = np.array(dout, dtype=np.float64)
    dx[x <= 0] *= alpha
    return dx
