"""sgd_train ignores batch_size and always trains on the full batch."""
import numpy as np


def sgd_train(model, X, y, learning_rate=1.0, num_iters=1000, batch_size=None, seed=0):
    losses = []
    for _ in range(num_iters):
        loss, grads = model.loss(np.asarray(X), np.asarray(y))
        for name in model.params:
            model.params[name] -= learning_rate * grads[name]
        losses.append(float(loss))
    return losses
