"""relu_backward passes dout through everywhere: no mask at all (dx = dout)."""
import numpy as np


def relu_backward(dout, cache):
    return np.array(dout, dtype=np.float64)
