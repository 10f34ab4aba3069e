"""gradient_check puts each entry back by adding h to value - h, which is not always the exact original value."""
import numpy as np


def gradient_check(f, params, grads, h=1e-5):
    errors = {}
    for name, p in params.items():
        numerical = np.zeros(p.shape)
        for index in np.ndindex(p.shape):
            p[index] += h
            f_plus = f()
            p[index] -= 2 * h
            f_minus = f()
            p[index] += h
            numerical[index] = (f_plus - f_minus) / (2 * h)
        analytic = np.asarray(grads[name], dtype=np.float64)
        errors[name] = np.abs(analytic - numerical) / np.maximum(1e-8, np.abs(analytic) + np.abs(numerical))
    return errors
