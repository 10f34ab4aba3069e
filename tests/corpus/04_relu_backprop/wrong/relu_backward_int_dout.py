"""relu_backward multiplies dout by the mask without converting it, so an integer dout gives an integer dx."""
import numpy as np


def relu_backward(dout, cache):
    x = cache
    return np.asarray(dout) * (x > 0)
