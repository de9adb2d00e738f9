import numpy as np
import pytest

from skdeep._core.rbm import mean_hiddens, mean_visibles
from skdeep._core.wake_sleep import (
    fantasy_states,
    generative_gradients,
    recognition_gradients,
    split_params,
    untie,
    wake_sleep_gradients,
    wake_states,
)
from tests._helpers import numerical_gradient

SIZES = [6, 5, 4, 3]  # visible, two lower hidden layers, top hidden


@pytest.fixture
def model():
    rng = np.random.default_rng(0)
    stack = [
        [rng.normal(scale=0.8, size=(a, b)), rng.normal(size=b), rng.normal(size=a)]
        for a, b in zip(SIZES[:-1], SIZES[1:], strict=True)
    ]
    params = untie(stack)
    # make recognition and generation disagree, as after greedy training
    for p in params[:-3]:
        p += rng.normal(scale=0.3, size=p.shape)
    return params


@pytest.fixture
def data():
    return (np.random.default_rng(1).random((40, SIZES[0])) < 0.4).astype(float)


def bernoulli_log_likelihood(states, probabilities):
    p = np.clip(probabilities, 1e-12, 1 - 1e-12)
    return float(np.mean(np.sum(states * np.log(p) + (1 - states) * np.log(1 - p), 1)))


def test_untie_copies_lower_layers_and_shares_the_top():
    stack = [
        [np.ones((3, 2)), np.zeros(2), np.zeros(3)],
        [np.ones((2, 2)), np.zeros(2), np.zeros(2)],
    ]
    params = untie(stack)
    layers = split_params(params)
    assert layers.recognition[0][0] is not stack[0][0]
    np.testing.assert_array_equal(layers.generative[0][0], stack[0][0].T)
    assert layers.top[0] is stack[1][0]


def test_generative_gradient_is_the_log_likelihood_gradient(model, data):
    layers = split_params(model)
    states = wake_states(data, layers.recognition, np.random.default_rng(2))
    generative = [p for pair in layers.generative for p in pair]

    def mean_negative_log_likelihood():
        total = 0.0
        for k, (G, b) in enumerate(layers.generative):
            P = mean_visibles(states[k + 1], G.T, b, "bernoulli")
            total -= bernoulli_log_likelihood(states[k], P)
        return total

    grads, _ = generative_gradients(states, layers.generative, "bernoulli")
    numeric = numerical_gradient(mean_negative_log_likelihood, generative)
    for a, n in zip(grads, numeric, strict=True):
        np.testing.assert_allclose(a, n, atol=1e-6)


def test_recognition_gradient_is_the_log_likelihood_gradient(model):
    layers = split_params(model)
    rng = np.random.default_rng(3)
    top = (rng.random((30, SIZES[-2])) < 0.5).astype(float)
    states = fantasy_states(top, layers.generative, "bernoulli", rng)
    recognition = [p for pair in layers.recognition for p in pair]

    def mean_negative_log_likelihood():
        return -sum(
            bernoulli_log_likelihood(states[k + 1], mean_hiddens(states[k], R, c))
            for k, (R, c) in enumerate(layers.recognition)
        )

    grads = recognition_gradients(states, layers.recognition)
    numeric = numerical_gradient(mean_negative_log_likelihood, recognition)
    for a, n in zip(grads, numeric, strict=True):
        np.testing.assert_allclose(a, n, atol=1e-6)


def test_wake_update_lowers_generative_error_of_its_wake_states(model, data):
    layers = split_params(model)
    states = wake_states(data, layers.recognition, np.random.default_rng(4))
    grads, before = generative_gradients(states, layers.generative, "bernoulli")
    generative = [p for pair in layers.generative for p in pair]
    for p, g in zip(generative, grads, strict=True):
        p -= 0.05 * g
    _, after = generative_gradients(states, layers.generative, "bernoulli")
    assert all(a < b for a, b in zip(after, before, strict=True))


def test_sleep_update_raises_recognition_probability_of_fantasies(model):
    layers = split_params(model)
    rng = np.random.default_rng(5)
    top = (rng.random((50, SIZES[-2])) < 0.5).astype(float)
    fantasy = fantasy_states(top, layers.generative, "bernoulli", rng)

    def log_q():
        return [
            bernoulli_log_likelihood(fantasy[k + 1], mean_hiddens(fantasy[k], R, c))
            for k, (R, c) in enumerate(layers.recognition)
        ]

    before = log_q()
    grads = recognition_gradients(fantasy, layers.recognition)
    recognition = [p for pair in layers.recognition for p in pair]
    for p, g in zip(recognition, grads, strict=True):
        p -= 0.05 * g
    assert all(a > b for a, b in zip(log_q(), before, strict=True))


def test_full_step_shapes_labels_and_determinism(model, data):
    labels = np.eye(2)[np.arange(40) % 2]
    top = model[-3]
    params = model[:-3] + [
        np.vstack([top, np.full((2, top.shape[1]), 0.1)]),
        model[-2],
        np.concatenate([model[-1], [0.0, 0.0]]),
    ]
    kwargs = dict(visible_units="bernoulli", n_gibbs_steps=2, labels=labels, alpha=0.1)
    grads, error = wake_sleep_gradients(
        data, params, rng=np.random.default_rng(6), **kwargs
    )
    assert [g.shape for g in grads] == [p.shape for p in params]
    assert error > 0
    again, _ = wake_sleep_gradients(
        data, params, rng=np.random.default_rng(6), **kwargs
    )
    for a, b in zip(grads, again, strict=True):
        np.testing.assert_array_equal(a, b)


def test_wake_sleep_training_lowers_the_error(model, data):
    params = model
    rng = np.random.default_rng(7)
    V = np.tile(data, (5, 1))
    errors = []
    for _ in range(300):
        grads, error = wake_sleep_gradients(
            V, params, visible_units="bernoulli", n_gibbs_steps=1, rng=rng
        )
        errors.append(error)
        for p, g in zip(params, grads, strict=True):
            p -= 0.05 * g
    assert np.mean(errors[-30:]) < 0.9 * np.mean(errors[:30])
