"""leaky_relu_forward hard-codes the slope 0.01 and ignores the alpha argument."""
import numpy as np


def leaky_relu_forward(x, alpha=0.01):
    x = np.asarray(x, dtype=np.float64)
    return np.where(x > 0, x, 0.01 * x), (x, alpha)
