"""Lets ReLU pass gradient at z == 0 (z >= 0), against the course's convention."""
import numpy as np


def layer_gradient_norms(x, weights, activation):
    weights = [np.asarray(W, dtype=np.float64) for W in weights]
    h = np.asarray(x, dtype=np.float64)
    zs, hs = [], []
    for W in weights:
        z = h @ W
        h = sigmoid(z) if activation == "sigmoid" else np.tanh(z) if activation == "tanh" else np.maximum(z, 0.0)
        zs.append(z)
        hs.append(h)
    dh = np.ones_like(h)
    norms = np.zeros(len(weights))
    for l in reversed(range(len(weights))):
        if activation == "sigmoid":
            dz = dh * hs[l] * (1.0 - hs[l])
        elif activation == "tanh":
            dz = dh * (1.0 - hs[l] ** 2)
        else:
            dz = dh * (zs[l] >= 0)
        dh = dz @ weights[l].T
        norms[l] = np.linalg.norm(dh)
    return norms
