"""Computes in the input's precision: a float32 x rounds x + h to seven digits."""


def numerical_derivative(f, x, h=1e-5):
    return (f(x + h) - f(x - h)) / (2 * h)
