"""TwoLayerNet draws its weights from the global np.random state and ignores the seed."""
import numpy as np


class TwoLayerNet(TwoLayerNet):  # noqa: F821 (the reference TwoLayerNet defined above in the same cell)
    def __init__(self, input_dim, hidden_dim, num_classes, weight_scale=1e-2, reg=0.0,
                 activation="relu", seed=0):
        self.reg = reg
        self.activation = activation
        W1 = weight_scale * np.random.randn(input_dim, hidden_dim)
        W2 = weight_scale * np.random.randn(hidden_dim, num_classes)
        self.params = {"W1": W1, "b1": np.zeros(hidden_dim), "W2": W2, "b2": np.zeros(num_classes)}
