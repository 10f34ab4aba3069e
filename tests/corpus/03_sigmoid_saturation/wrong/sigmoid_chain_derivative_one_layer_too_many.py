"""Multiplies in one factor too many: the derivative of depth + 1 sigmoids."""
import numpy as np


def sigmoid_chain_derivative(x, depth):
    h = np.asarray(x, dtype=np.float64)
    derivative = np.ones_like(h)
    for _ in range(depth + 1):
        s = sigmoid(h)
        derivative = derivative * s * (1.0 - s)
        h = s
    return derivative
