"""Multiplies dout by the Jacobian itself, J @ dout, instead of its transpose J.T @ dout."""
import numpy as np


def jacobian_check(f, backward, x, h=1e-5, seed=0):
    x = np.array(x, dtype=np.float64)
    out = np.asarray(f(x), dtype=np.float64)
    dout = np.random.default_rng(seed).standard_normal(out.shape)
    J = numerical_jacobian(f, x, h)
    expected = (J @ dout.reshape(-1)).reshape(x.shape)
    yours = np.asarray(backward(dout), dtype=np.float64)
    return float(np.max(np.abs(yours - expected) / np.maximum(1e-8, np.abs(yours) + np.abs(expected))))
