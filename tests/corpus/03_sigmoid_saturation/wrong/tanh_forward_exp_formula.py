"""Computes tanh as (e^x - e^-x) / (e^x + e^-x): overflows and returns nan for |x| above about 710."""
import numpy as np


def tanh_forward(x):
    x = np.asarray(x, dtype=np.float64)
    out = (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))
    return out, out
