"""The textbook 1 / (1 + exp(-x)): exp(-x) overflows, with a warning, for very negative x."""
import numpy as np


def sigmoid(x):
    x = np.asarray(x, dtype=np.float64)
    return 1.0 / (1.0 + np.exp(-x))
