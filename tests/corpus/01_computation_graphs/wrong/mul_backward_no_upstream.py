"""Returns the local gradients alone, without multiplying by dout."""
import numpy as np


def mul_backward(x, y, dout):
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    return y.copy(), x.copy()
