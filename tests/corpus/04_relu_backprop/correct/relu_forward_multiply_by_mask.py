"""relu_forward as x times its 0/1 mask (negative inputs give -0.0, which equals 0)."""
import numpy as np


def relu_forward(x):
    x = np.asarray(x, dtype=np.float64)
    return x * (x > 0), x
