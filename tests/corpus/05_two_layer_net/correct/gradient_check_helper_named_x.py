"""gradient_check with a module-level helper called _x (a name the old test cells used), one parameter at a time."""
import numpy as np


def _x(f, p, index, value):
    """f() with the entry p[index] set to value, then the entry put back."""
    saved = p[index]
    p[index] = value
    try:
        return f()
    finally:
        p[index] = saved


def gradient_check(f, params, grads, h=1e-5):
    errors = {}
    for name in params:
        p = params[name]
        numerical = np.empty(p.shape, dtype=np.float64)
        for index in np.ndindex(*p.shape):
            numerical[index] = (_x(f, p, index, p[index] + h) - _x(f, p, index, p[index] - h)) / (2.0 * h)
        a = np.array(grads[name], dtype=np.float64)
        errors[name] = np.abs(a - numerical) / np.maximum(np.abs(a) + np.abs(numerical), 1e-8)
    return errors
