"""softmax_cross_entropy returns p / N as dscores, forgetting the -1 at the true label."""
import numpy as np


def softmax_cross_entropy(scores, y):
    scores = np.asarray(scores, dtype=np.float64)
    y = np.asarray(y)
    N = scores.shape[0]
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return float(-np.mean(log_p[np.arange(N), y])), np.exp(log_p) / N
