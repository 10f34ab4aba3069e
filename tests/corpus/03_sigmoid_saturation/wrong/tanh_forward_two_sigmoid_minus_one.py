"""Computes 2 sigmoid(x) - 1, which is tanh(x / 2), not tanh(x) = 2 sigmoid(2x) - 1."""
import numpy as np


def tanh_forward(x):
    out = 2.0 * sigmoid(x) - 1.0
    return out, out
