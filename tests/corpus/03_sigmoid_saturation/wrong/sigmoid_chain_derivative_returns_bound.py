"""Returns the bound 0.25 ** depth instead of the derivative at x."""
import numpy as np


def sigmoid_chain_derivative(x, depth):
    return np.full(np.shape(x), 0.25 ** depth)
