"""Multiplies sigmoid(a) * sigmoid(-a), the same derivative written without 1 - s."""
import numpy as np


def sigmoid_chain_derivative(x, depth):
    a = np.asarray(x, dtype=np.float64)
    derivative = np.ones_like(a)
    for _ in range(depth):
        derivative = derivative * sigmoid(a) * sigmoid(-a)
        a = sigmoid(a)
    return derivative
