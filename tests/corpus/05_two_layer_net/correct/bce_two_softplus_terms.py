"""binary_cross_entropy_with_logits as y * softplus(-z) + (1 - y) * softplus(z), each softplus stable."""
import numpy as np


def binary_cross_entropy_with_logits(z, y):
    z = np.asarray(z, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    N = z.shape[0]

    def softplus(v):
        return np.maximum(v, 0.0) + np.log1p(np.exp(-np.abs(v)))

    loss = np.sum(y * softplus(-z) + (1 - y) * softplus(z)) / N
    p = np.exp(-softplus(-z))
    return float(loss), (p - y) / N
