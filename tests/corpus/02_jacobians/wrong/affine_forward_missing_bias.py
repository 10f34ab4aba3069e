"""Forgets to add the bias b."""
import numpy as np


def affine_forward(x, W, b):
    x = np.asarray(x, dtype=np.float64)
    W = np.asarray(W, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    out = x.reshape(x.shape[0], -1) @ W
    return out, (x, W, b)
