"""gradient_check returns only each parameter's largest relative error, a number, not the error of every entry."""
import numpy as np


def gradient_check(f, params, grads, h=1e-5):
    errors = {}
    for name, p in params.items():
        numerical = np.zeros(p.shape)
        for index in np.ndindex(p.shape):
            value = p[index]
            p[index] = value + h
            f_plus = f()
            p[index] = value - h
            f_minus = f()
            p[index] = value
            numerical[index] = (f_plus - f_minus) / (2 * h)
        analytic = np.asarray(grads[name], dtype=np.float64)
        errors[name] = float(np.max(np.abs(analytic - numerical) / np.maximum(1e-8, np.abs(analytic) + np.abs(numerical))))
    return errors
