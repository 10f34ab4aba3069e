"""relu_forward keeps integer inputs as integers: np.maximum of an int array is an int array."""
import numpy as np


def relu_forward(x):
    x = np.asarray(x)
    return np.maximum(x, 0), x
