"""relu_forward caching its output: out > 0 exactly where x > 0, so the mask is the same."""
import numpy as np


def relu_forward(x):
    x = np.asarray(x, dtype=np.float64)
    out = np.where(x > 0, x, 0.0)
    return out, out
