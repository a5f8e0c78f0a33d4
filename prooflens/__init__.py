"""prooflens: proves or refutes properties of C and Python functions, in the editor and in CI."""

__version__ = "0.1.0"
