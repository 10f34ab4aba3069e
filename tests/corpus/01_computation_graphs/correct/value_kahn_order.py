"""Value whose backward pass orders the graph with Kahn's algorithm (parent counts) instead of a depth-first search."""


class Value(Value):  # noqa: F821 (the reference Value defined above in the same cell)
    def backward(self):
        # Kahn's algorithm: count each node's parents, then release a node once all of its
        # parents have passed their gradient down to it.
        parents, stack, seen = {}, [self], {self}
        while stack:
            node = stack.pop()
            for child in node._prev:
                parents[child] = parents.get(child, 0) + 1
                if child not in seen:
                    seen.add(child)
                    stack.append(child)
        self.grad = 1.0
        ready = [self]
        while ready:
            node = ready.pop()
            node._backward()
            for child in node._prev:
                parents[child] -= 1
                if parents[child] == 0:
                    ready.append(child)
