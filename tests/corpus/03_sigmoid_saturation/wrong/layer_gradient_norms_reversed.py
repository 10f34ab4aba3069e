"""Lists the norms in the order backprop meets them: last layer first."""
import numpy as np


def layer_gradient_norms(x, weights, activation):
    weights = [np.asarray(W, dtype=np.float64) for W in weights]
    h = np.asarray(x, dtype=np.float64)
    zs, hs = [], []
    for W in weights:
        z = h @ W
        h = {"sigmoid": lambda v: sigmoid(v), "tanh": np.tanh, "relu": lambda v: np.maximum(v, 0.0)}[activation](z)
        zs.append(z)
        hs.append(h)
    dh = np.ones_like(h)
    norms = []
    for z, out, W in zip(reversed(zs), reversed(hs), reversed(weights)):
        if activation == "sigmoid":
            dz = dh * out * (1.0 - out)
        elif activation == "tanh":
            dz = dh * (1.0 - out ** 2)
        else:
            dz = dh * (z > 0)
        dh = dz @ W.T
        norms.append(np.linalg.norm(dh))
    return np.array(norms)
