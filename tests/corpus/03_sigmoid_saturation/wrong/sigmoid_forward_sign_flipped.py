"""Uses exp(x) where exp(-x) belongs: computes sigmoid(-x)."""
import numpy as np


def sigmoid_forward(x):
    out = sigmoid(-np.asarray(x, dtype=np.float64))
    return out, out
