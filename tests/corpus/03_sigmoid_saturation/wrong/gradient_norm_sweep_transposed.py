"""Returns the arrays with one row per layer and one column per scale, the transpose of the contract."""
import numpy as np


def gradient_norm_sweep(scales, D, depth, N, activation, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N, D))
    directions = [rng.standard_normal((D, D)) for _ in range(depth)]
    norms = np.zeros((depth, len(scales)))
    saturated = np.zeros((depth, len(scales)))
    for i, weight_scale in enumerate(scales):
        weights = [weight_scale * G for G in directions]
        norms[:, i] = layer_gradient_norms(x, weights, activation)
        h = x
        for l, W in enumerate(weights):
            h = sigmoid(h @ W) if activation == "sigmoid" else np.tanh(h @ W)
            saturated[l, i] = saturated_fraction(h if activation == "sigmoid" else (1.0 + h) / 2.0)
    return norms, saturated
