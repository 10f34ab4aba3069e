"""step_size_errors with module-level helpers named like the old test cells' _x and _h."""
import numpy as np


def _x(value):
    return np.float64(value)


def _h(steps):
    return [float(h) for h in np.asarray(steps, dtype=np.float64)]


def step_size_errors(f, df, x, hs):
    exact = df(_x(x))
    errors = [abs(numerical_derivative(f, _x(x), h) - exact) for h in _h(hs)]  # noqa: F821
    return np.asarray(errors, dtype=np.float64)
