"""Deep belief networks: the RBM stack's base and its three estimators."""
