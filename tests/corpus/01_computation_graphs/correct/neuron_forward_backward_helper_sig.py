"""neuron_forward_backward with a module-level sigmoid helper named like the old test cells' _sig."""
import numpy as np


def _sig(z):
    return float(np.exp(-np.logaddexp(0.0, -z)))


def neuron_forward_backward(w, x):
    w = np.asarray(w, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    f = _sig(w[0] * x[0] + w[1] * x[1] + w[2])
    dz = f * (1.0 - f)
    return f, dz * np.array([x[0], x[1], 1.0]), dz * w[:2]
