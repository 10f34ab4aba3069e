"""Passes tanh's outputs t to saturated_fraction as they are, so every output near 0 counts as saturated."""
import numpy as np


def gradient_norm_sweep(scales, D, depth, N, activation, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N, D))
    directions = [rng.standard_normal((D, D)) for _ in range(depth)]
    norms = np.zeros((len(scales), depth))
    saturated = np.zeros((len(scales), depth))
    for i, weight_scale in enumerate(scales):
        weights = [weight_scale * G for G in directions]
        norms[i] = layer_gradient_norms(x, weights, activation)
        h = x
        for l, W in enumerate(weights):
            h = sigmoid(h @ W) if activation == "sigmoid" else np.tanh(h @ W)
            saturated[i, l] = saturated_fraction(h)
    return norms, saturated
