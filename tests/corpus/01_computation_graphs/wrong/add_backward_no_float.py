"""Hands dout back as it came, so ints and lists are never converted to float64."""


def add_backward(dout):
    return dout, dout
