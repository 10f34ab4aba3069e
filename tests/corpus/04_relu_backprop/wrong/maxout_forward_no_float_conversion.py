"""maxout_forward never converts its input, so integer pieces give an integer out."""
import numpy as np


def maxout_forward(z):
    z = np.asarray(z)
    out = z.max(axis=-1)
    return out, (z.astype(np.float64), out.astype(np.float64))
