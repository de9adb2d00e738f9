"""Array math and training loops: pure functions of arrays and a random
generator, with no estimator state."""
