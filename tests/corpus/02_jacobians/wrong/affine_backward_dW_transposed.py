"""Computes dW as dout.T @ x, the transpose of the right gradient."""
import numpy as np


def affine_backward(dout, cache):
    x, W, b = cache
    dout = np.asarray(dout, dtype=np.float64)
    dx = (dout @ W.T).reshape(x.shape)
    dW = dout.T @ x.reshape(x.shape[0], -1)
    db = dout.sum(axis=0)
    return dx, dW, db
