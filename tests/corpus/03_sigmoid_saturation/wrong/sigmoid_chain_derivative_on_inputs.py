"""Multiplies h * (1 - h) with each sigmoid's input h, instead of s * (1 - s) with s = sigmoid(h)."""
import numpy as np


def sigmoid_chain_derivative(x, depth):
    h = np.asarray(x, dtype=np.float64)
    derivative = np.ones_like(h)
    for _ in range(depth):
        derivative = derivative * h * (1.0 - h)
        h = sigmoid(h)
    return derivative
