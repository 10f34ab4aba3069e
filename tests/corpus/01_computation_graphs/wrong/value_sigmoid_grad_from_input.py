"""The sigmoid's local gradient is computed from its input a, as a (1 - a), instead of from its output."""
import math


class Value(Value):  # noqa: F821 (the reference Value defined above in the same cell)
    def sigmoid(self):
        a = self.data
        s = 1.0 / (1.0 + math.exp(-a)) if a >= 0 else math.exp(a) / (1.0 + math.exp(a))
        out = Value(s, (self,))

        def _backward():
            self.grad += a * (1.0 - a) * out.grad
        out._backward = _backward
        return out
