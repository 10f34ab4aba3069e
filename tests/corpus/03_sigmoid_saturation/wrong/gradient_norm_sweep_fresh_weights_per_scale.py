"""Draws new random weights for every scale, so the sweep compares different networks instead of one network scaled."""
import numpy as np


def gradient_norm_sweep(scales, D, depth, N, activation, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N, D))
    norms = np.zeros((len(scales), depth))
    saturated = np.zeros((len(scales), depth))
    for i, weight_scale in enumerate(scales):
        weights = [weight_scale * rng.standard_normal((D, D)) for _ in range(depth)]
        norms[i] = layer_gradient_norms(x, weights, activation)
        h = x
        for l, W in enumerate(weights):
            h = sigmoid(h @ W) if activation == "sigmoid" else np.tanh(h @ W)
            saturated[i, l] = saturated_fraction(h if activation == "sigmoid" else (1.0 + h) / 2.0)
    return norms, saturated
