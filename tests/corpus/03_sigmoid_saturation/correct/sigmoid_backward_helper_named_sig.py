"""A correct pair built on a stable module-level helper named _sig, the name an old test cell once rebound: the forward caches x and the backward recomputes s = _sig(x)."""
import numpy as np


def _sig(v):
    v = np.asarray(v, dtype=np.float64)
    u = np.exp(-np.abs(v))
    return np.where(v >= 0, 1.0 / (1.0 + u), u / (1.0 + u))


def _sigmoid_forward_caching_x(x):
    x = np.asarray(x, dtype=np.float64)
    return _sig(x), x.copy()


# The pair goes together: this cell's forward caches x, so the backward below reads x.
sigmoid_forward = _sigmoid_forward_caching_x


def sigmoid_backward(dout, cache):
    s = _sig(cache)
    return np.asarray(dout, dtype=np.float64) * s * (1.0 - s)
