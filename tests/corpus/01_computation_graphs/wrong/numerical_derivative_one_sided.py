"""One-sided difference (f(x + h) - f(x)) / h: error of order h instead of h**2."""
import numpy as np


def numerical_derivative(f, x, h=1e-5):
    x = np.float64(x)
    return (f(x + h) - f(x)) / h
