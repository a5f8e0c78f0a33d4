"""The prooflens language server: a thin pygls adapter over `prooflens.analysis`."""
