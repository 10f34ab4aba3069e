"""Calls _backward in breadth-first order from the output, which is not a topological order."""


class Value(Value):  # noqa: F821 (the reference Value defined above in the same cell)
    def backward(self):
        # breadth-first from the output: not a topological order when paths differ in length
        order, seen, i = [self], {self}, 0
        while i < len(order):
            for child in order[i]._prev:
                if child not in seen:
                    seen.add(child)
                    order.append(child)
            i += 1
        self.grad = 1.0
        for node in order:
            node._backward()
