"""numerical_derivative written as half the difference over h, with x made a Python float."""


def numerical_derivative(f, x, h=1e-5):
    x = float(x)
    return 0.5 * (f(x + h) - f(x - h)) / h
