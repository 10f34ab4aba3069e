"""Multiplies sigmoid(h) * sigmoid(-h), the same derivative written without 1 - s."""
import numpy as np


def sigmoid_chain_derivative(x, depth):
    h = np.asarray(x, dtype=np.float64)
    derivative = np.ones_like(h)
    for _ in range(depth):
        derivative = derivative * sigmoid(h) * sigmoid(-h)
        h = sigmoid(h)
    return derivative
