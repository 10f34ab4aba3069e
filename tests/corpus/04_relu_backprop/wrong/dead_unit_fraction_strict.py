"""dead_unit_fraction tests a < 0, so a unit stuck at exactly 0 counts as alive."""
import numpy as np


def dead_unit_fraction(pre_activations):
    a = np.asarray(pre_activations, dtype=np.float64)
    return float(np.mean(np.all(a < 0, axis=0)))
