"""Counts only the gradients that are all positive, forgetting that all negative is a single sign too."""
import numpy as np


def same_sign_fraction(h, dz):
    g = np.asarray(h, dtype=np.float64)[:, :, None] * np.asarray(dz, dtype=np.float64)[:, None, :]
    return float(np.mean(np.all(g > 0, axis=1)))
