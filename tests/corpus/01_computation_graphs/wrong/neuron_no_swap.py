"""The multiply gates do not swap: dw uses w and dx uses x."""
import math

import numpy as np


def neuron_forward_backward(w, x):
    w = np.asarray(w, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    z = w[0] * x[0] + w[1] * x[1] + w[2]
    f = 1.0 / (1.0 + math.exp(-z))
    dz = f * (1.0 - f)
    return f, dz * np.array([w[0], w[1], 1.0]), dz * x
