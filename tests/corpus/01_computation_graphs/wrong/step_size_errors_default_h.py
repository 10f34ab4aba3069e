"""Calls numerical_derivative without passing h on, so every entry is the error at the default step."""
import numpy as np


def step_size_errors(f, df, x, hs):
    hs = np.asarray(hs, dtype=np.float64)
    exact = df(np.float64(x))
    return np.array([abs(numerical_derivative(f, x) - exact) for h in hs])  # noqa: F821
