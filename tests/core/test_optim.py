import numpy as np
import pytest

import skdeep._core.optim as optim
from skdeep._core.optim import SGD, Adam, flush_subnormals, make_optimizer


def _minimise(optimizer_factory, steps=500):
    """Minimise ||p - c||^2 / 2 from p = 0; returns the final p."""
    target = np.array([1.0, -2.0, 3.0])
    params = [np.zeros(3)]
    optimizer = optimizer_factory(params)
    for _ in range(steps):
        optimizer.update(params, [params[0] - target])
    return params[0], target


@pytest.mark.parametrize(
    "factory",
    [
        lambda p: SGD(p, 0.1, momentum=0.9),
        lambda p: SGD(p, 0.1, momentum=0.5, nesterov=True),
        lambda p: Adam(p, 0.05),
    ],
)
def test_optimizers_reach_minimum_of_quadratic(factory):
    final, target = _minimise(factory)
    np.testing.assert_allclose(final, target, atol=1e-3)


def test_sgd_momentum_step_matches_formula():
    params = [np.array([1.0])]
    sgd = SGD(params, 0.1, momentum=0.5)
    sgd.update(params, [np.array([2.0])])  # v = -0.2
    sgd.update(params, [np.array([2.0])])  # v = 0.5 * -0.2 - 0.2 = -0.3
    assert params[0][0] == pytest.approx(1.0 - 0.2 - 0.3)


def test_adam_first_step_is_learning_rate_in_sign_direction():
    params = [np.array([0.0, 0.0])]
    Adam(params, 0.01).update(params, [np.array([5.0, -0.001])])
    np.testing.assert_allclose(params[0], [-0.01, 0.01], rtol=1e-3)


@pytest.mark.parametrize("name", ["sgd", "adam"])
def test_optimizers_keep_float32(name):
    params = [np.ones(4, dtype=np.float32)]
    optimizer = make_optimizer(name, params, 0.1, 0.9)
    optimizer.update(params, [np.ones(4, dtype=np.float32)])
    assert params[0].dtype == np.float32


def _subnormal(a):
    a = np.abs(a)
    return int(((a > 0) & (a < np.finfo(a.dtype).tiny)).sum())


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_flush_zeroes_what_is_about_to_turn_subnormal_and_nothing_else(dtype):
    edge = np.sqrt(np.finfo(dtype).tiny)
    a = np.array([edge / 2, -edge / 2, edge * 2, -1e-3, 1.0, 0.0], dtype)
    flush_subnormals([a])
    np.testing.assert_array_equal(a, np.array([0, 0, edge * 2, -1e-3, 1, 0], dtype))


def _dead_unit_decay(name, steps=2000):
    """A weight that once had a large gradient and now only weight decay's,
    as the weights of a relu unit that no row activates any more."""
    p = np.full(50, 1e-3, np.float32)
    opt = make_optimizer(name, [p], 0.01, 0.9)
    opt.update([p], [np.ones_like(p)])
    for _ in range(steps):
        opt.update([p], [p.copy()])
    state = opt.first + opt.second if name == "adam" else opt.velocities
    return sum(_subnormal(a) for a in [p, *state])


@pytest.mark.parametrize("name", ["adam", "sgd"])
def test_decaying_weights_never_turn_subnormal(name, monkeypatch):
    assert _dead_unit_decay(name) == 0
    monkeypatch.setattr(optim, "FLUSH_EVERY", 10**9)  # the test sees the trap
    assert _dead_unit_decay(name) > 0
