"""Never converts to float64: int inputs give an int output."""
import numpy as np


def affine_forward(x, W, b):
    x, W, b = np.asarray(x), np.asarray(W), np.asarray(b)
    out = x.reshape(x.shape[0], -1) @ W + b
    return out, (x, W, b)
