"""Ignores the step it is given and always uses 1e-5."""
import numpy as np


def numerical_derivative(f, x, h=1e-5):
    x = np.float64(x)
    return (f(x + 1e-5) - f(x - 1e-5)) / 2e-5
