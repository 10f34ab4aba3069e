"""dead_unit_fraction from each unit's largest pre-activation: dead when max over the batch <= 0."""
import numpy as np


def dead_unit_fraction(pre_activations):
    a = np.asarray(pre_activations, dtype=np.float64)
    return float(np.count_nonzero(a.max(axis=0) <= 0) / a.shape[1])
