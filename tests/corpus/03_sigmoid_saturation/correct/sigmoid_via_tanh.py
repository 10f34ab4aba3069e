"""Uses the identity sigmoid(x) = (1 + tanh(x / 2)) / 2, which never overflows."""
import numpy as np


def sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(x, dtype=np.float64)))
