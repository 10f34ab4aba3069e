"""Uses module-level helpers named like old test names (_x, _dout) and checks.rel_error for the error."""
import numpy as np
from autograder import checks


def _x(x):
    return np.array(x, dtype=np.float64)


def _dout(shape, seed):
    return np.random.default_rng(seed).standard_normal(shape)


def jacobian_check(f, backward, x, h=1e-5, seed=0):
    x = _x(x)
    dout = _dout(np.shape(f(x)), seed)
    J = numerical_jacobian(f, x, h)
    expected = np.einsum("ij,i->j", J, dout.ravel()).reshape(x.shape)
    return checks.rel_error(backward(dout), expected)
