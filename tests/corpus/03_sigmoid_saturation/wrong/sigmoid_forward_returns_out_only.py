"""Returns only out, not the layer API's (out, cache)."""
import numpy as np


def sigmoid_forward(x):
    return sigmoid(x)
