"""Returns dx flat, of shape (N, D), instead of x's original shape."""
import numpy as np


def affine_backward(dout, cache):
    x, W, b = cache
    dout = np.asarray(dout, dtype=np.float64)
    dx = dout @ W.T
    dW = x.reshape(x.shape[0], -1).T @ dout
    db = dout.sum(axis=0)
    return dx, dW, db
