"""softmax_cross_entropy one example at a time, each row shifted by its own maximum."""
import numpy as np


def softmax_cross_entropy(scores, y):
    scores = np.asarray(scores, dtype=np.float64)
    N = scores.shape[0]
    loss = 0.0
    dscores = np.zeros_like(scores)
    for n, label in enumerate(np.asarray(y).astype(int)):
        shifted = scores[n] - scores[n].max()
        log_p = shifted - np.log(np.exp(shifted).sum())
        loss -= log_p[label]
        dscores[n] = np.exp(log_p)
        dscores[n, label] -= 1.0
    return loss / N, dscores / N
