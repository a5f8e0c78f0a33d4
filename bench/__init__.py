"""prooflens benchmarks: corpus scoring against peers, solver overhead, editor latency, scaling.

Run `python -m bench` from the repository root; see bench/README.md.
"""
