"""sgd_train drawing minibatches from shuffled epochs and reassigning the dict entries."""
import numpy as np


def sgd_train(model, X, y, learning_rate=1.0, num_iters=1000, batch_size=None, seed=0):
    X = np.asarray(X)
    y = np.asarray(y)
    rng = np.random.default_rng(seed)
    order, position = np.arange(len(X)), len(X)
    losses = []
    for _ in range(num_iters):
        if batch_size is None:
            batch = slice(None)
        else:
            if position + batch_size > len(X):
                order, position = rng.permutation(len(X)), 0
            batch = order[position:position + batch_size]
            position += batch_size
        loss, grads = model.loss(X[batch], y[batch])
        model.params.update({name: value - learning_rate * grads[name] for name, value in model.params.items()})
        losses.append(float(loss))
    return losses
