"""Stacked autoencoders: the base and its three estimators."""
