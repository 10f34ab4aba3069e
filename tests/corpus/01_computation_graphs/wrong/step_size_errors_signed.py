"""Returns the signed error numerical_derivative - df(x) instead of its absolute value."""
import numpy as np


def step_size_errors(f, df, x, hs):
    hs = np.asarray(hs, dtype=np.float64)
    exact = df(np.float64(x))
    return np.array([numerical_derivative(f, x, h) - exact for h in hs])  # noqa: F821
