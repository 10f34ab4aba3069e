"""softmax_cross_entropy shifts by the max but takes log(p): a probability that underflows to 0 gives log(0)."""
import numpy as np


def softmax_cross_entropy(scores, y):
    scores = np.asarray(scores, dtype=np.float64)
    y = np.asarray(y)
    N = scores.shape[0]
    shifted = scores - scores.max(axis=1, keepdims=True)
    p = np.exp(shifted) / np.sum(np.exp(shifted), axis=1, keepdims=True)
    loss = -np.mean(np.log(p[np.arange(N), y]))
    dscores = p.copy()
    dscores[np.arange(N), y] -= 1
    return float(loss), dscores / N
