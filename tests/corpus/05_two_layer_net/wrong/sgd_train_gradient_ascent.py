"""sgd_train adds the gradient (gradient ascent) instead of subtracting it."""
import numpy as np


def sgd_train(model, X, y, learning_rate=1.0, num_iters=1000, batch_size=None, seed=0):
    X = np.asarray(X)
    y = np.asarray(y)
    rng = np.random.default_rng(seed)
    losses = []
    for _ in range(num_iters):
        if batch_size is None:
            X_batch, y_batch = X, y
        else:
            batch = rng.choice(X.shape[0], size=batch_size, replace=False)
            X_batch, y_batch = X[batch], y[batch]
        loss, grads = model.loss(X_batch, y_batch)
        for name in model.params:
            model.params[name] += learning_rate * grads[name]
        losses.append(loss)
    return losses
