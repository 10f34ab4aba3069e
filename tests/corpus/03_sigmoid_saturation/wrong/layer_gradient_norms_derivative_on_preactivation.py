"""Plugs the pre-activation z into the output formulas: z * (1 - z) for sigmoid, 1 - z**2 for tanh."""
import numpy as np


def layer_gradient_norms(x, weights, activation):
    weights = [np.asarray(W, dtype=np.float64) for W in weights]
    h = np.asarray(x, dtype=np.float64)
    zs = []
    for W in weights:
        z = h @ W
        h = sigmoid(z) if activation == "sigmoid" else np.tanh(z) if activation == "tanh" else np.maximum(z, 0.0)
        zs.append(z)
    dh = np.ones_like(h)
    norms = np.zeros(len(weights))
    for l in reversed(range(len(weights))):
        z = zs[l]
        if activation == "sigmoid":
            dz = dh * z * (1.0 - z)
        elif activation == "tanh":
            dz = dh * (1.0 - z ** 2)
        else:
            dz = dh * (z > 0)
        dh = dz @ weights[l].T
        norms[l] = np.linalg.norm(dh)
    return norms
