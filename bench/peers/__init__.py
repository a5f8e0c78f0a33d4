"""Peers run on the same corpus functions, each mapped to prooflens's verdict vocabulary."""
