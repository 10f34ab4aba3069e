"""value_gradient_check with module-level helpers named like the old test cells' _x and _rel, and its own loop."""
import numpy as np


def _x(point):
    return np.array(point, dtype=np.float64)


def _rel(a, b):
    return np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))


def value_gradient_check(build, point, h=1e-5):
    x = _x(point)
    leaves = [Value(float(v)) for v in x]  # noqa: F821
    build(*leaves).backward()
    g = np.array([leaf.grad for leaf in leaves], dtype=np.float64)
    g_num = np.zeros_like(x)
    for i in range(x.size):
        plus, minus = x.copy(), x.copy()
        plus[i] += h
        minus[i] -= h
        f_plus = build(*[Value(float(v)) for v in plus]).data  # noqa: F821
        f_minus = build(*[Value(float(v)) for v in minus]).data  # noqa: F821
        g_num[i] = (f_plus - f_minus) / (2 * h)
    return _rel(g, g_num)
