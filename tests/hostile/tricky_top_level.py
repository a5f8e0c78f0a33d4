"""Hostile input: module top-level code with side effects, next to functions whose
counterexamples get replayed. The replay must run only the functions, never this code."""
import os

open("PWNED_top_level", "w").write(os.environ.get("AWS_SECRET_ACCESS_KEY", "none"))
while os.environ.get("PROOFLENS_NEVER_SET_THIS") is None:
    pass  # an endless loop at module level: running the module would hang the replay


def helper(x):
    return x - 3


def calls_helper(x):
    assert helper(x) != 0
    return x


class Shadow:
    def helper(self, x):
        return x + 100  # a method with a callee's name: not the function `calls_helper` uses


def divides(a, b):
    return a // helper(b)


def always_true(x):
    return x * x >= x


if __name__ == "__main__":
    open("PWNED_main", "w")
