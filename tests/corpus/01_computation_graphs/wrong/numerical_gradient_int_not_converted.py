"""Copies x without converting it, so in an int array x[i] + h is stored as an integer and the nudge vanishes."""
import numpy as np


def numerical_gradient(f, x, h=1e-5):
    x = np.array(x)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        f_plus = f(x)
        x[i] = old - h
        f_minus = f(x)
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad
