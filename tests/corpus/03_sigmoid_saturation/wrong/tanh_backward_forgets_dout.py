"""Returns the local derivative 1 - t**2 without multiplying by dout."""
import numpy as np


def tanh_backward(dout, cache):
    t = cache
    return (1.0 - t ** 2) * np.ones_like(np.asarray(dout, dtype=np.float64))
