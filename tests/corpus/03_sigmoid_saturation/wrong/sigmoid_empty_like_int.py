"""Fills np.empty_like(x) branch by branch without converting x, so an int x gives an int result."""
import numpy as np


def sigmoid(x):
    x = np.asarray(x)
    out = np.empty_like(x)
    positive = x >= 0
    out[positive] = 1.0 / (1.0 + np.exp(-x[positive]))
    e = np.exp(x[~positive])
    out[~positive] = e / (1.0 + e)
    return out
