"""dying_learning_rate sorts the grid first and returns the fractions in sorted order, not the grid's."""
import numpy as np


def dying_learning_rate(train, learning_rates, threshold=0.4):
    rates = sorted(float(r) for r in learning_rates)
    fractions = np.array([dead_unit_fraction(train(r)) for r in rates], dtype=np.float64)
    killing = [r for r, f in zip(rates, fractions) if f >= threshold]
    return (killing[0] if killing else float("nan")), fractions
