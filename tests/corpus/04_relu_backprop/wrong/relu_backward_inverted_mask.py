"""relu_backward keeps the gradient where x <= 0 and blocks it where x > 0: the mask is inverted."""
import numpy as np


def relu_backward(dout, cache):
    x = cache
    dout = np.asarray(dout, dtype=np.float64)
    return np.where(x <= 0, dout, 0.0)
