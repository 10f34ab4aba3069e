"""Computes the numerical gradient with the default step instead of the h it was given."""
import numpy as np


def value_gradient_check(build, point, h=1e-5):
    point = np.array(point, dtype=np.float64)
    leaves = [Value(p) for p in point]  # noqa: F821
    build(*leaves).backward()
    g = np.array([leaf.grad for leaf in leaves])
    g_num = numerical_gradient(lambda p: build(*[Value(v) for v in p]).data, point)  # noqa: F821
    return np.abs(g - g_num) / np.maximum(1e-8, np.abs(g) + np.abs(g_num))
