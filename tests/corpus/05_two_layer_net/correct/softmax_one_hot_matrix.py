"""softmax_cross_entropy with a one-hot matrix and a log-sum-exp loss."""
import numpy as np


def softmax_cross_entropy(scores, y):
    scores = np.asarray(scores, dtype=np.float64)
    y = np.asarray(y).astype(int)
    N, C = scores.shape
    onehot = np.eye(C)[y]
    m = scores.max(axis=1, keepdims=True)
    log_sum_exp = m[:, 0] + np.log(np.exp(scores - m).sum(axis=1))
    loss = np.mean(log_sum_exp - np.sum(onehot * scores, axis=1))
    p = np.exp(scores - m - (log_sum_exp[:, None] - m))
    return float(loss), (p - onehot) / N
