"""leaky_relu_backward scales the caller's dout in place (dx = dout is no copy)."""
import numpy as np


def leaky_relu_backward(dout, cache):
    x, alpha = cache
    dx = dout
    dx[x <= 0] *= alpha
    return dx
