"""dead_unit_fraction counts a unit as dead if it is <= 0 on any example (np.any instead of np.all)."""
import numpy as np


def dead_unit_fraction(pre_activations):
    a = np.asarray(pre_activations, dtype=np.float64)
    return float(np.mean(np.any(a <= 0, axis=0)))
