"""Uses tanh(x) = 2 sigmoid(2x) - 1 with the stable sigmoid."""
import numpy as np


def tanh_forward(x):
    out = 2.0 * sigmoid(2.0 * np.asarray(x, dtype=np.float64)) - 1.0
    return out, out
