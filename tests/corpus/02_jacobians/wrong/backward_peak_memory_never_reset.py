"""Traces once around the whole loop, so every route's peak includes the largest one measured before it."""
import tracemalloc

import numpy as np


def backward_peak_memory(widths, seed=0):
    rng = np.random.default_rng(seed)
    peaks = {"jacobian": [], "vjp": []}
    tracemalloc.start()
    for C in widths:
        z, dout = rng.standard_normal(C), rng.standard_normal(C)
        s = np.exp(z - z.max())
        s = s / s.sum()
        softmax_jacobian(z).T @ dout
        peaks["jacobian"].append(tracemalloc.get_traced_memory()[1])
        softmax_backward(dout[None, :], s[None, :])
        peaks["vjp"].append(tracemalloc.get_traced_memory()[1])
    tracemalloc.stop()
    return {name: np.array(values, dtype=np.float64) for name, values in peaks.items()}
