"""Computes dB as dout.T @ A, the transpose of the right gradient."""
import numpy as np


def matmul_backward(dout, A, B):
    dout = np.asarray(dout, dtype=np.float64)
    A = np.asarray(A, dtype=np.float64)
    B = np.asarray(B, dtype=np.float64)
    return dout @ B.T, dout.T @ A
