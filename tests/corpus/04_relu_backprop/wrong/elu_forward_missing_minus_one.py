"""elu_forward forgets the - 1: alpha * exp(x) below 0, which jumps to alpha at x = 0."""
import numpy as np


def elu_forward(x, alpha=1.0):
    x = np.asarray(x, dtype=np.float64)
    out = np.where(x > 0, x, alpha * np.exp(np.minimum(x, 0.0)))
    return out, (x, out, alpha)
