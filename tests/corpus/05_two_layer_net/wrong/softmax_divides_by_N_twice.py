"""softmax_cross_entropy divides dscores by N twice (once for the mean, once more)."""
import numpy as np


def softmax_cross_entropy(scores, y):
    scores = np.asarray(scores, dtype=np.float64)
    y = np.asarray(y)
    N = scores.shape[0]
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    dscores = np.exp(log_p) / N
    dscores[np.arange(N), y] -= 1
    return float(-np.mean(log_p[np.arange(N), y])), dscores / N
