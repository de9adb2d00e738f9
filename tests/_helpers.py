"""Independent references shared by the tests."""

import numpy as np


def numerical_gradient(loss, params, eps=1e-6):
    """Central finite differences of ``loss()`` with respect to each array."""
    grads = []
    for p in params:
        g = np.zeros_like(p)
        for index in np.ndindex(p.shape):
            saved = p[index]
            p[index] = saved + eps
            up = loss()
            p[index] = saved - eps
            down = loss()
            p[index] = saved
            g[index] = (up - down) / (2 * eps)
        grads.append(g)
    return grads


def assert_gradients_match(analytic, numeric, rtol=1e-5, atol=1e-7):
    """Every analytic gradient equals the finite-difference one."""
    assert len(analytic) == len(numeric)
    for a, n in zip(analytic, numeric, strict=True):
        np.testing.assert_allclose(a, n, rtol=rtol, atol=atol)
