"""relu_forward uses np.max(x, 0), a reduction along axis 0, instead of the elementwise np.maximum."""
import numpy as np


def relu_forward(x):
    x = np.asarray(x, dtype=np.float64)
    out = np.max(x, 0)
    return out, x
