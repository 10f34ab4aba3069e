"""Multiplies x @ W without flattening each example first: fails for x with more than 2 dimensions."""
import numpy as np


def affine_forward(x, W, b):
    x = np.asarray(x, dtype=np.float64)
    W = np.asarray(W, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    out = x @ W + b
    return out, (x, W, b)
