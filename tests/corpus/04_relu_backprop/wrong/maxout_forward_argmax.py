"""maxout_forward returns the index of the winning piece (argmax) instead of its value."""
import numpy as np


def maxout_forward(z):
    z = np.asarray(z, dtype=np.float64)
    out = z.argmax(axis=-1).astype(np.float64)
    return out, (z, z.max(axis=-1))
