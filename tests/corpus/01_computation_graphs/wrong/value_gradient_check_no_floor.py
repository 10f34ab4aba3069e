"""Divides by |g| + |g_num| without the 1e-8 floor, so a gradient that is 0 both ways gives 0 / 0 = nan."""
import numpy as np


def value_gradient_check(build, point, h=1e-5):
    point = np.array(point, dtype=np.float64)
    leaves = [Value(p) for p in point]  # noqa: F821
    build(*leaves).backward()
    g = np.array([leaf.grad for leaf in leaves])
    g_num = numerical_gradient(lambda p: build(*[Value(v) for v in p]).data, point, h)  # noqa: F821
    with np.errstate(invalid="ignore"):
        return np.abs(g - g_num) / (np.abs(g) + np.abs(g_num))
