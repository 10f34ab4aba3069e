"""add_backward through a module-level helper named like the old test cells' _dout, returning two copies."""
import numpy as np


def _dout(value):
    return np.array(value, dtype=np.float64)


def add_backward(dout):
    return _dout(dout), _dout(dout)
