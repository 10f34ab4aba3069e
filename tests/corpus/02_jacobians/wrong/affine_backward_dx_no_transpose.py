"""Multiplies dout by W instead of W.T for dx."""
import numpy as np


def affine_backward(dout, cache):
    x, W, b = cache
    dout = np.asarray(dout, dtype=np.float64)
    dx = (dout @ W).reshape(x.shape)
    dW = x.reshape(x.shape[0], -1).T @ dout
    db = dout.sum(axis=0)
    return dx, dW, db
