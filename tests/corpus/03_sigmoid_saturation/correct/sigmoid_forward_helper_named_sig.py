"""Computes the forward pass through a stable module-level helper named _sig, the name an old test cell once rebound."""
import numpy as np


def _sig(v):
    v = np.asarray(v, dtype=np.float64)
    u = np.exp(-np.abs(v))
    return np.where(v >= 0, 1.0 / (1.0 + u), u / (1.0 + u))


def sigmoid_forward(x):
    s = _sig(x)
    return s, s
