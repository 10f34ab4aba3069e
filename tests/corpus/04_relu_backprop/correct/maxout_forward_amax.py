"""maxout_forward with np.amax on a float copy of z."""
import numpy as np


def maxout_forward(z):
    z = np.array(z, dtype=np.float64)
    out = np.amax(z, axis=-1)
    return out, (z, out)
