"""Defines no __radd__ or __rmul__, so a plain number on the left (2 * a, 1 + a) raises TypeError."""


class Value(Value):  # noqa: F821 (the reference Value defined above in the same cell)
    # Returning NotImplemented is what a missing method amounts to: Python raises the same
    # "unsupported operand type(s)" TypeError. (Setting them to None would raise a different one.)
    def __radd__(self, other):
        return NotImplemented

    def __rmul__(self, other):
        return NotImplemented
