"""relu_forward clamps the caller's array in place instead of building a new one."""
import numpy as np


def relu_forward(x):
    x = np.asarray(x, dtype=np.float64)
    cache = x.copy()
    x[x < 0] = 0.0
    return x, cache
