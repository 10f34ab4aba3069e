"""The other textbook form exp(x) / (1 + exp(x)): inf / inf = nan for very positive x."""
import numpy as np


def sigmoid(x):
    x = np.asarray(x, dtype=np.float64)
    e = np.exp(x)
    return e / (1.0 + e)
