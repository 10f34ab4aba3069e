"""kink_mask uses a fixed step of 1e-5 and ignores the h it is given."""
import numpy as np


def kink_mask(x, h=1e-5):
    return np.abs(np.asarray(x, dtype=np.float64)) < 1e-5
