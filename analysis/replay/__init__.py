"""Replay: every counterexample is run for real before it is shown.

`sandbox` runs code with limits, each run a clean child of the warm replay process
(`forkserver` / `child`); `program` builds the replay program of a Python unit, `python`
runs it (call and watch modes), `c` compiles and runs C harnesses with UBSan, and
`regression` turns a counterexample into a pytest test.
"""
