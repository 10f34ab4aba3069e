"""kink_mask as -h < x < h with two comparisons."""
import numpy as np


def kink_mask(x, h=1e-5):
    x = np.asarray(x, dtype=np.float64)
    return (x > -h) & (x < h)
