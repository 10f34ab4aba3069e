"""dying_learning_rate returns the first qualifying rate in the order of the grid, not the smallest."""
import numpy as np


def dying_learning_rate(train, learning_rates, threshold=0.4):
    fractions = np.array([dead_unit_fraction(train(r)) for r in learning_rates], dtype=np.float64)
    for rate, fraction in zip(learning_rates, fractions):
        if fraction >= threshold:
            return float(rate), fractions
    return float("nan"), fractions
