"""binary_cross_entropy_with_logits clips p to [eps, 1 - eps]: finite, but the loss is capped at -log(eps)."""
import numpy as np


def binary_cross_entropy_with_logits(z, y):
    z = np.asarray(z, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    N = z.shape[0]
    p = 0.5 * (1.0 + np.tanh(0.5 * z))
    q = np.clip(p, 1e-12, 1 - 1e-12)
    loss = -np.sum(y * np.log(q) + (1 - y) * np.log(1 - q)) / N
    return float(loss), (p - y) / N
