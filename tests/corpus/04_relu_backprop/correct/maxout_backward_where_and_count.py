"""maxout_backward with np.where and an explicit count of the tied pieces, through a helper _dout."""
import numpy as np


def _dout(dout):
    return np.asarray(dout, dtype=np.float64)[..., np.newaxis]


def maxout_backward(dout, cache):
    z, out = cache
    winners = z == np.expand_dims(out, -1)
    count = np.count_nonzero(winners, axis=-1)[..., np.newaxis]
    return np.where(winners, _dout(dout) / count, 0.0)
