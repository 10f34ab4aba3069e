"""Multiplies in the wrong order, dA = B.T @ dout and dB = dout @ A.T: only square shapes even run."""
import numpy as np


def matmul_backward(dout, A, B):
    dout = np.asarray(dout, dtype=np.float64)
    A = np.asarray(A, dtype=np.float64)
    B = np.asarray(B, dtype=np.float64)
    return B.T @ dout, dout @ A.T
