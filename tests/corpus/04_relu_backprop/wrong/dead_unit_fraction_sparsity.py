"""dead_unit_fraction returns the fraction of all entries <= 0 (the sparsity), not of units."""
import numpy as np


def dead_unit_fraction(pre_activations):
    a = np.asarray(pre_activations, dtype=np.float64)
    return float(np.mean(a <= 0))
