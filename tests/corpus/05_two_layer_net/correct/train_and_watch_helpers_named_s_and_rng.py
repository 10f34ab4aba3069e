"""train_and_watch with module-level helpers called _s and _rng (names the old test cells used) and its own loop."""
import numpy as np


def _s(model, X):
    """The hidden activations rescaled to [0, 1] by the activation's output range."""
    low, high = OUTPUT_RANGE[model.activation]
    z1 = X @ model.params["W1"] + model.params["b1"]
    return (ACTIVATIONS[model.activation][0](z1)[0] - low) / (high - low)


def _rng(u, eps):
    """Fraction of the entries of u within eps of 0 or 1."""
    return float(np.count_nonzero((u <= eps) | (u >= 1 - eps)) / u.size)


def train_and_watch(model, X, y, learning_rate=1.0, num_iters=300, eps=0.05):
    X = np.array(X, dtype=np.float64)
    y = np.array(y)
    losses = np.zeros(num_iters)
    saturated = np.zeros(num_iters)
    for step in range(num_iters):
        saturated[step] = _rng(_s(model, X), eps)
        loss, grads = model.loss(X, y)
        losses[step] = loss
        for name in model.params:
            model.params[name] -= learning_rate * grads[name]
    return {"losses": losses, "saturated": saturated, "accuracy": float((model.predict(X) == y).mean())}
