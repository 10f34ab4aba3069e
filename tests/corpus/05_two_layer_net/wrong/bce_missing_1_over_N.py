"""binary_cross_entropy_with_logits averages the loss but returns dz = sigmoid(z) - y without the 1/N."""
import numpy as np


def binary_cross_entropy_with_logits(z, y):
    z = np.asarray(z, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    N = z.shape[0]
    loss = np.sum(np.logaddexp(0.0, z) - y * z) / N
    return float(loss), 0.5 * (1.0 + np.tanh(0.5 * z)) - y
