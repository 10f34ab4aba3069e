"""Multiplies a * (1 - a) with each layer's input a, instead of s * (1 - s) with s = sigmoid(a)."""
import numpy as np


def sigmoid_chain_derivative(x, depth):
    a = np.asarray(x, dtype=np.float64)
    derivative = np.ones_like(a)
    for _ in range(depth):
        derivative = derivative * a * (1.0 - a)
        a = sigmoid(a)
    return derivative
