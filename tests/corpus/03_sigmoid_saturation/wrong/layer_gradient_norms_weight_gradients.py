"""Reports the norms of the weight gradients dL/dW_l instead of the gradients at the layer inputs."""
import numpy as np


def layer_gradient_norms(x, weights, activation):
    weights = [np.asarray(W, dtype=np.float64) for W in weights]
    h = np.asarray(x, dtype=np.float64)
    inputs, zs, hs = [], [], []
    for W in weights:
        inputs.append(h)
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
            dz = dh * (zs[l] > 0)
        norms[l] = np.linalg.norm(inputs[l].T @ dz)
        dh = dz @ weights[l].T
    return norms
