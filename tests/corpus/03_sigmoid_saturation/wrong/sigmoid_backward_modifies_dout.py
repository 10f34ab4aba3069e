"""Multiplies dout in place, changing the caller's upstream gradient."""
import numpy as np


def sigmoid_backward(dout, cache):
    s = cache
    dout *= s * (1.0 - s)
    return dout
