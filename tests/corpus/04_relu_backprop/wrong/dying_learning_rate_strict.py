"""dying_learning_rate requires a dead fraction strictly above the threshold (> instead of >=)."""
import numpy as np


def dying_learning_rate(train, learning_rates, threshold=0.4):
    fractions = np.array([dead_unit_fraction(train(r)) for r in learning_rates], dtype=np.float64)
    killing = [float(r) for r, f in zip(learning_rates, fractions) if f > threshold]
    return (min(killing) if killing else float("nan")), fractions
