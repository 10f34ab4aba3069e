"""Assigns gradients with = instead of accumulating with +=, so a reused node keeps only its last path."""
import math


class Value(Value):  # noqa: F821 (the reference Value defined above in the same cell)
    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other))

        def _backward():
            self.grad = out.grad
            other.grad = out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other))

        def _backward():
            self.grad = other.data * out.grad
            other.grad = self.data * out.grad
        out._backward = _backward
        return out

    def relu(self):
        out = Value(self.data if self.data > 0 else 0.0, (self,))

        def _backward():
            self.grad = (self.data > 0) * out.grad
        out._backward = _backward
        return out

    def sigmoid(self):
        a = self.data
        s = 1.0 / (1.0 + math.exp(-a)) if a >= 0 else math.exp(a) / (1.0 + math.exp(a))
        out = Value(s, (self,))

        def _backward():
            self.grad = s * (1.0 - s) * out.grad
        out._backward = _backward
        return out
