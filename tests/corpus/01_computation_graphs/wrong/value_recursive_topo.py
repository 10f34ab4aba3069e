"""Builds the topological order with a recursive function, which hits the recursion limit on a 5,000-node chain."""


class Value(Value):  # noqa: F821 (the reference Value defined above in the same cell)
    def backward(self):
        topo, visited = [], set()

        def build_topo(node):
            if node not in visited:
                visited.add(node)
                for child in node._prev:
                    build_topo(child)
                topo.append(node)
        build_topo(self)
        self.grad = 1.0
        for node in reversed(topo):
            node._backward()
