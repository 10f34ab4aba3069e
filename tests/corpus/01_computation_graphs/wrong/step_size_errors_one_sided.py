"""Measures the one-sided difference (f(x + h) - f(x)) / h instead of the centred numerical_derivative."""
import numpy as np


def step_size_errors(f, df, x, hs):
    hs = np.asarray(hs, dtype=np.float64)
    x = np.float64(x)
    return np.array([abs((f(x + h) - f(x)) / h - df(x)) for h in hs])
