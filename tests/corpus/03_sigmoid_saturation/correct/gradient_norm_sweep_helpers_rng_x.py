"""Draws through module-level helpers named _rng and _x, names old test cells once rebound, and stacks the rows at the end."""
import numpy as np


def _rng(seed):
    return np.random.default_rng(seed)


def _x(rng, N, D):
    return rng.standard_normal((N, D))


def gradient_norm_sweep(scales, D, depth, N, activation, seed):
    rng = _rng(seed)
    x = _x(rng, N, D)
    directions = [rng.standard_normal((D, D)) for _ in range(depth)]
    act = sigmoid if activation == "sigmoid" else np.tanh
    as_sigmoid = (lambda h: h) if activation == "sigmoid" else (lambda t: 0.5 * (t + 1.0))
    norm_rows, saturation_rows = [], []
    for weight_scale in list(scales):
        weights = [float(weight_scale) * G for G in directions]
        norm_rows.append(layer_gradient_norms(x, weights, activation))
        h, row = x, []
        for W in weights:
            h = act(h @ W)
            row.append(saturated_fraction(as_sigmoid(h)))
        saturation_rows.append(row)
    return np.array(norm_rows, dtype=np.float64), np.array(saturation_rows, dtype=np.float64)
