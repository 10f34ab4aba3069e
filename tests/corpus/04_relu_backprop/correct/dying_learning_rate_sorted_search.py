"""dying_learning_rate measuring in grid order, then scanning the rates in sorted order, via a helper _rng."""
import numpy as np


def _rng(learning_rates):
    """The grid's indices, smallest rate first."""
    return np.argsort(np.asarray(learning_rates, dtype=np.float64), kind="stable")


def dying_learning_rate(train, learning_rates, threshold=0.4):
    fractions = np.zeros(len(learning_rates))
    for i, rate in enumerate(learning_rates):
        fractions[i] = dead_unit_fraction(train(rate))
    for i in _rng(learning_rates):
        if fractions[i] >= threshold:
            return float(learning_rates[i]), fractions
    return np.nan, fractions
