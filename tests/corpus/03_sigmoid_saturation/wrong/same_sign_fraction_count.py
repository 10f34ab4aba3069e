"""Returns the number of agreeing (example, unit) pairs instead of their fraction."""
import numpy as np


def same_sign_fraction(h, dz):
    g = np.asarray(h, dtype=np.float64)[:, :, None] * np.asarray(dz, dtype=np.float64)[:, None, :]
    return int(np.count_nonzero(np.all(g > 0, axis=1) | np.all(g < 0, axis=1)))
