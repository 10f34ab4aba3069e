"""active_fraction_by_depth forgets the ReLU between layers: the next layer gets z, not relu(z)."""
import numpy as np


def active_fraction_by_depth(x, weights):
    h = np.asarray(x, dtype=np.float64)
    fractions = []
    for W in weights:
        h = h @ np.asarray(W, dtype=np.float64)
        fractions.append(np.mean(h > 0))
    return np.array(fractions)
