"""Returns the absolute error max|a - b| instead of the course's relative error."""
import numpy as np


def jacobian_check(f, backward, x, h=1e-5, seed=0):
    x = np.array(x, dtype=np.float64)
    dout = np.random.default_rng(seed).standard_normal(np.shape(f(x)))
    J = numerical_jacobian(f, x, h)
    expected = (J.T @ dout.reshape(-1)).reshape(x.shape)
    return float(np.max(np.abs(np.asarray(backward(dout)) - expected)))
