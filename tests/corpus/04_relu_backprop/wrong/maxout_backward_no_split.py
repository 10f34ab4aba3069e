"""maxout_backward gives the whole dout to every tied piece instead of splitting it evenly."""
import numpy as np


def maxout_backward(dout, cache):
    z, out = cache
    dout = np.asarray(dout, dtype=np.float64)
    return (z == out[..., None]) * dout[..., None]
