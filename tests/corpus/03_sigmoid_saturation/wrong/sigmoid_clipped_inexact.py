"""Avoids overflow by clipping x to [-500, 500], so sigmoid(-1e4) is 7e-218 instead of exactly 0."""
import numpy as np


def sigmoid(x):
    x = np.clip(np.asarray(x, dtype=np.float64), -500.0, 500.0)
    return 1.0 / (1.0 + np.exp(-x))
