"""TwoLayerNet written out in plain NumPy, with its own activations and the same conventions."""
import numpy as np


class TwoLayerNet:
    def __init__(self, input_dim, hidden_dim, num_classes, weight_scale=1e-2, reg=0.0,
                 activation="relu", seed=0):
        rng = np.random.default_rng(seed)
        self.params = {}
        self.params["W1"] = weight_scale * rng.standard_normal((input_dim, hidden_dim))
        self.params["b1"] = np.zeros(hidden_dim)
        self.params["W2"] = weight_scale * rng.standard_normal((hidden_dim, num_classes))
        self.params["b2"] = np.zeros(num_classes)
        self.reg = reg
        self.activation = activation

    def _hidden(self, z1):
        if self.activation == "relu":
            return np.maximum(z1, 0.0), (z1 > 0).astype(np.float64)
        if self.activation == "leaky_relu":
            return np.where(z1 > 0, z1, 0.01 * z1), np.where(z1 > 0, 1.0, 0.01)
        if self.activation == "tanh":
            t = np.tanh(z1)
            return t, 1.0 - t ** 2
        s = 0.5 * (1.0 + np.tanh(0.5 * z1))
        shift = 0.5 if self.activation == "centred_sigmoid" else 0.0
        return s - shift, s * (1.0 - s)

    def loss(self, X, y=None):
        X = np.asarray(X, dtype=np.float64)
        X2 = X.reshape(X.shape[0], -1)
        p = self.params
        z1 = X2 @ p["W1"] + p["b1"]
        h, slope = self._hidden(z1)
        scores = h @ p["W2"] + p["b2"]
        if y is None:
            return scores
        data_loss, dscores = softmax_cross_entropy(scores, y)
        loss = data_loss + 0.5 * self.reg * (np.sum(p["W1"] ** 2) + np.sum(p["W2"] ** 2))
        dz1 = (dscores @ p["W2"].T) * slope
        grads = {"W1": X2.T @ dz1 + self.reg * p["W1"], "b1": dz1.sum(axis=0),
                 "W2": h.T @ dscores + self.reg * p["W2"], "b2": dscores.sum(axis=0)}
        return loss, grads

    def predict(self, X):
        return self.loss(X).argmax(axis=1)
