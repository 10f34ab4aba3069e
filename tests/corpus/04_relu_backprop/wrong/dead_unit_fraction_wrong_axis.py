"""dead_unit_fraction reduces over the units (axis=1): the fraction of examples on which every unit is off."""
import numpy as np


def dead_unit_fraction(pre_activations):
    a = np.asarray(pre_activations, dtype=np.float64)
    return float(np.mean(np.all(a <= 0, axis=1)))
