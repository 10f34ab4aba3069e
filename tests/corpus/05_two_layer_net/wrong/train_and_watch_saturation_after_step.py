"""train_and_watch measures the saturated fraction after each step instead of before it."""
import numpy as np


def train_and_watch(model, X, y, learning_rate=1.0, num_iters=300, eps=0.05):
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    forward = ACTIVATIONS[model.activation][0]
    low, high = OUTPUT_RANGE[model.activation]
    losses, saturated = [], []
    for _ in range(num_iters):
        losses += sgd_train(model, X, y, learning_rate, 1)
        h1, _ = forward(X @ model.params["W1"] + model.params["b1"])
        saturated.append(saturated_fraction((h1 - low) / (high - low), eps))
    return {"losses": np.array(losses), "saturated": np.array(saturated),
            "accuracy": float(np.mean(model.predict(X) == y))}
