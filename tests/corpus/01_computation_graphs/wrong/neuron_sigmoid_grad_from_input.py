"""Uses z (1 - z) as the sigmoid's local gradient instead of f (1 - f)."""
import math

import numpy as np


def neuron_forward_backward(w, x):
    w = np.asarray(w, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    z = w[0] * x[0] + w[1] * x[1] + w[2]
    f = 1.0 / (1.0 + math.exp(-z))
    dz = z * (1.0 - z)
    return f, dz * np.array([x[0], x[1], 1.0]), dz * w[:2]
