"""gradient_check divides |g - n| by max(|g|, |n|) instead of the course's max(1e-8, |g| + |n|)."""
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
        errors[name] = np.abs(analytic - numerical) / np.maximum(1e-8, np.maximum(np.abs(analytic), np.abs(numerical)))
    return errors
