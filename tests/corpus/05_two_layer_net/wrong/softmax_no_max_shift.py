"""softmax_cross_entropy exponentiates the raw scores: exp(1e4) overflows to inf and the loss is nan."""
import numpy as np


def softmax_cross_entropy(scores, y):
    scores = np.asarray(scores, dtype=np.float64)
    y = np.asarray(y)
    N = scores.shape[0]
    p = np.exp(scores) / np.sum(np.exp(scores), axis=1, keepdims=True)
    loss = -np.mean(np.log(p[np.arange(N), y]))
    dscores = p.copy()
    dscores[np.arange(N), y] -= 1
    return float(loss), dscores / N
