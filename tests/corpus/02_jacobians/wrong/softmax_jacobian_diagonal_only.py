"""Treats softmax as elementwise: diag(s * (1 - s)), the off-diagonal -s_i s_j terms missing."""
import numpy as np


def softmax_jacobian(z):
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - np.max(z))
    s = e / e.sum()
    return np.diag(s * (1 - s))
