"""Caches a copy of the output, so the cache cannot be changed through out."""
import numpy as np


def sigmoid_forward(x):
    out = sigmoid(x)
    return out, out.copy()
