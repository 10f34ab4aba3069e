"""mul_backward that converts all three arguments at once with np.broadcast_arrays."""
import numpy as np


def mul_backward(x, y, dout):
    x, y, dout = np.broadcast_arrays(*(np.asarray(a, dtype=np.float64) for a in (x, y, dout)))
    return y * dout, x * dout
