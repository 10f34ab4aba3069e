"""Draw the computation graphs of lesson 01 with their forward values and gradients.

Run from anywhere: ``python assets/draw_graphs.py``. It writes, next to this script,

- ``graph_add_mul.png``: f = (x + y) * w at x = -2, y = 5, w = -4;
- ``graph_neuron.png``: the sigmoid neuron f = sigmoid(w0*x0 + w1*x1 + w2)
  at w = (2, -3, -3), x = (-1, -2).

On every edge the value flowing forward is written above the arrow (green) and the
gradient of f with respect to that value below it (red). Only matplotlib is needed.
"""

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Circle, FancyBboxPatch  # noqa: E402

HERE = Path(__file__).resolve().parent
FORWARD = "#1a7f37"   # green: values computed on the way forward
BACKWARD = "#c62828"  # red: gradients computed on the way back
NODE_RADIUS = 0.32


def fmt(value):
    """Whole numbers as they are, others to two decimals; a true minus sign."""
    text = f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}"
    return text.replace("-", "\u2212")


def draw(nodes, edges, path, title):
    """``nodes``: {name: (x, y, label, kind)} with kind 'input', 'op' or 'output'.
    ``edges``: [(source, target, forward value, gradient)]."""
    xs = [x for x, _, _, _ in nodes.values()]
    ys = [y for _, y, _, _ in nodes.values()]
    width, height = max(xs) - min(xs) + 1.6, max(ys) - min(ys) + 1.6
    fig, ax = plt.subplots(figsize=(1.15 * width, 1.15 * height + 0.5))
    ax.set_xlim(min(xs) - 0.8, max(xs) + 0.8)
    ax.set_ylim(min(ys) - 0.9, max(ys) + 0.7)
    ax.set_aspect("equal")
    ax.axis("off")

    for name, (x, y, label, kind) in nodes.items():
        if kind == "op":
            ax.add_patch(Circle((x, y), NODE_RADIUS, facecolor="#e8eef7", edgecolor="#33415c", lw=1.5, zorder=3))
            ax.text(x, y, label, ha="center", va="center", fontsize=15, zorder=4)
        else:
            ax.add_patch(FancyBboxPatch((x - 0.3, y - 0.22), 0.6, 0.44, boxstyle="round,pad=0.04",
                                        facecolor="#fff7e0" if kind == "input" else "#f1f1f1",
                                        edgecolor="#7a5c00" if kind == "input" else "#555555",
                                        lw=1.3, zorder=3))
            ax.text(x, y, label, ha="center", va="center", fontsize=14, zorder=4)

    for source, target, value, grad in edges:
        x0, y0 = nodes[source][:2]
        x1, y1 = nodes[target][:2]
        dx, dy = x1 - x0, y1 - y0
        length = math.hypot(dx, dy)
        ux, uy = dx / length, dy / length
        start = (x0 + ux * 0.36, y0 + uy * 0.36)
        end = (x1 - ux * 0.36, y1 - uy * 0.36)
        ax.annotate("", xy=end, xytext=start, zorder=2,
                    arrowprops=dict(arrowstyle="-|>", color="#33415c", lw=1.4, mutation_scale=14))
        # Labels 40% of the way along the edge, where edges that meet at a node are still
        # apart, pushed off the line along its normal.
        mx, my = start[0] + 0.4 * (end[0] - start[0]), start[1] + 0.4 * (end[1] - start[1])
        nx, ny = -uy, ux
        if ny < 0:
            nx, ny = -nx, -ny
        ax.text(mx + 0.2 * nx, my + 0.2 * ny, fmt(value), color=FORWARD, fontsize=12,
                ha="center", va="center", fontweight="bold", zorder=5,
                bbox=dict(facecolor="white", edgecolor="none", pad=0.5, alpha=0.85))
        ax.text(mx - 0.2 * nx, my - 0.2 * ny, fmt(grad), color=BACKWARD, fontsize=12,
                ha="center", va="center", fontweight="bold", zorder=5,
                bbox=dict(facecolor="white", edgecolor="none", pad=0.5, alpha=0.85))

    ax.set_title(title, fontsize=13, pad=6)
    ax.text(min(xs) - 0.7, min(ys) - 0.75, "green, above an arrow: forward value", color=FORWARD,
            fontsize=10.5, ha="left", va="center")
    ax.text(max(xs) + 0.7, min(ys) - 0.75, "red, below an arrow: gradient of f", color=BACKWARD,
            fontsize=10.5, ha="right", va="center")
    fig.savefig(path, dpi=110, bbox_inches="tight", facecolor="white")
    plt.close(fig)
    return path


def add_mul_graph():
    x, y, w = -2.0, 5.0, -4.0
    q = x + y
    f = q * w
    dq, dw = w, q          # the multiply gate swaps
    dx, dy = dq, dq        # the add gate distributes
    nodes = {
        "x": (0, 2.2, "x", "input"),
        "y": (0, 1.0, "y", "input"),
        "w": (0, -0.2, "w", "input"),
        "add": (2.4, 1.6, "+", "op"),
        "mul": (4.8, 0.7, "×", "op"),
        "f": (7.0, 0.7, "f", "output"),
    }
    edges = [("x", "add", x, dx), ("y", "add", y, dy), ("add", "mul", q, dq),
             ("w", "mul", w, dw), ("mul", "f", f, 1.0)]
    return draw(nodes, edges, HERE / "graph_add_mul.png", "f = (x + y) · w")


def neuron_graph():
    w0, w1, w2 = 2.0, -3.0, -3.0
    x0, x1 = -1.0, -2.0
    a, b = w0 * x0, w1 * x1
    c = a + b
    z = c + w2
    f = 1.0 / (1.0 + math.exp(-z))
    dz = f * (1.0 - f)     # sigmoid'(z) = f (1 - f)
    dc, dw2 = dz, dz       # add distributes
    da, db = dc, dc
    dw0, dx0 = x0 * da, w0 * da   # multiply swaps
    dw1, dx1 = x1 * db, w1 * db
    nodes = {
        "w0": (0, 4.4, "w₀", "input"),
        "x0": (0, 3.2, "x₀", "input"),
        "w1": (0, 2.0, "w₁", "input"),
        "x1": (0, 0.8, "x₁", "input"),
        "w2": (0, -0.4, "w₂", "input"),
        "m0": (2.4, 3.8, "×", "op"),
        "m1": (2.4, 1.4, "×", "op"),
        "a0": (4.8, 2.6, "+", "op"),
        "a1": (7.0, 1.4, "+", "op"),
        "sig": (9.2, 1.4, "σ", "op"),
        "f": (11.4, 1.4, "f", "output"),
    }
    edges = [("w0", "m0", w0, dw0), ("x0", "m0", x0, dx0), ("w1", "m1", w1, dw1),
             ("x1", "m1", x1, dx1), ("m0", "a0", a, da), ("m1", "a0", b, db),
             ("a0", "a1", c, dc), ("w2", "a1", w2, dw2), ("a1", "sig", z, dz),
             ("sig", "f", f, 1.0)]
    return draw(nodes, edges, HERE / "graph_neuron.png", "f = σ(w₀x₀ + w₁x₁ + w₂)")


if __name__ == "__main__":
    for path in (add_mul_graph(), neuron_graph()):
        print(f"wrote {path}")
