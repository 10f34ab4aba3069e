"""Treats the bias as a constant: dw[2] is left at zero."""
import math

import numpy as np


def neuron_forward_backward(w, x):
    w = np.asarray(w, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    z = w[0] * x[0] + w[1] * x[1] + w[2]
    f = 1.0 / (1.0 + math.exp(-z))
    dz = f * (1.0 - f)
    return f, dz * np.array([x[0], x[1], 0.0]), dz * w[:2]
