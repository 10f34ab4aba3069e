"""Counts a zero component as agreeing (>= 0 and <= 0), so all-zero gradients count as one sign."""
import numpy as np


def same_sign_fraction(h, dz):
    g = np.asarray(h, dtype=np.float64)[:, :, None] * np.asarray(dz, dtype=np.float64)[:, None, :]
    return float(np.mean(np.all(g >= 0, axis=1) | np.all(g <= 0, axis=1)))
