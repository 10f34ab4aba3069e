"""binary_cross_entropy_with_logits goes through p = sigmoid(z): log(0) = -inf once |z| is large."""
import numpy as np


def binary_cross_entropy_with_logits(z, y):
    z = np.asarray(z, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    N = z.shape[0]
    p = 1.0 / (1.0 + np.exp(-z))
    loss = -np.sum(y * np.log(p) + (1 - y) * np.log(1 - p)) / N
    return float(loss), (p - y) / N
