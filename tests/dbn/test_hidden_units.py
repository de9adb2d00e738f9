"""Rectified hidden units in the three DBN estimators: what "auto" picks,
what the fitted stack computes, and where they are refused."""

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler

from skdeep import DBNClassifier, DBNRegressor, DBNTransformer
from skdeep._core.rbm import free_energy

FAST = dict(pretrain_iter=3, max_iter=20, random_state=0)


def digits(n=400):
    X, y = load_digits(return_X_y=True)
    return X[:n] / 16, y[:n]


def images(n=400):
    """Digits widened to 128 features in [0, 1]: images by the "auto" rules."""
    X, y = digits(n)
    return np.hstack([X, X[:, ::-1]]), y


@pytest.mark.parametrize(
    "cls, data, expected",
    [
        (DBNClassifier, digits, "relu"),
        (DBNClassifier, images, "bernoulli"),
        (DBNRegressor, digits, "bernoulli"),
        (DBNTransformer, digits, "bernoulli"),
    ],
)
def test_auto_hidden_units(cls, data, expected):
    X, y = data()
    model = cls((16,), **FAST).fit(X, y)
    assert model.hidden_units_ == expected
    assert model.auto_params_["hidden_units"] == expected
    standardized = StandardScaler().fit_transform(X)
    table = cls((16,), **FAST).fit(standardized, y)
    assert table.hidden_units_ == "bernoulli"


def test_auto_keeps_bernoulli_units_for_up_down_frozen_stacks_and_pcd():
    X, y = digits()
    for params in ({"persistent": True}, {"fine_tuning": "none"}):
        model = DBNClassifier((16,), **FAST, **params).fit(X, y)
        assert model.hidden_units_ == "bernoulli"
    up_down = DBNClassifier((16,), fine_tuning="up-down", pretrain_iter=2, max_iter=1)
    assert up_down.fit(X, y).hidden_units_ == "bernoulli"


@pytest.mark.parametrize("cls", [DBNClassifier, DBNRegressor])
def test_rectified_stack_fine_tunes_a_relu_network(cls):
    X, y = digits()
    model = cls((32, 16), hidden_units="relu", **FAST).fit(X, y)
    assert model.hidden_units_ == "relu"
    codes = model._top_codes(X)
    H = X
    for W, c in zip(model.coefs_, model.intercepts_, strict=True):
        H = np.maximum(H @ W + c, 0)
    np.testing.assert_allclose(codes, H)
    assert model.score(X, y) > (0.9 if cls is DBNClassifier else 0.8)
    # the upper RBM models the rectified codes with Gaussian visibles
    assert model.auto_params_["pretrain_learning_rate"] == [0.01, 0.002]


def test_units_pretraining_left_silent_restart_before_backprop(monkeypatch):
    """On independent features an RBM needs no weights: pretraining drives
    them to zero and every rectified unit silent, which backprop through
    max(0, x) could never move. Those units restart from random weights;
    without the restart the network predicts a constant."""
    rng = np.random.default_rng(0)
    X = rng.uniform(size=(800, 10))
    y = 10 * np.sin(np.pi * X[:, 0] * X[:, 1]) + 20 * (X[:, 2] - 0.5) ** 2 + 5 * X[:, 3]
    params = dict(hidden_units="relu", pretrain_iter=50, pretrain_tol=0, random_state=0)
    silent = DBNTransformer((64,), **params).fit(X).transform(X).max(axis=0) <= 0
    assert silent.mean() > 0.9
    assert DBNRegressor((64,), **params).fit(X, y).score(X, y) > 0.9
    monkeypatch.setattr(DBNRegressor, "_ready_for_backprop", lambda *args: None)
    assert DBNRegressor((64,), **params).fit(X, y).score(X, y) < 0.1


def test_transformer_scores_samples_and_generates_with_rectified_units():
    X, _ = digits()
    params = dict(FAST, max_iter=0)
    model = DBNTransformer((32, 16), hidden_units="relu", **params).fit(X)
    W, c, b = model.coefs_[0], model.intercepts_[0], model.visible_intercepts_[0]
    expected = -free_energy(X, W, c, b, "bernoulli", hidden_units="relu")
    np.testing.assert_allclose(model.score_samples(X), expected)
    samples = model.sample(5, n_gibbs_steps=20, random_state=0)
    assert samples.shape == (5, X.shape[1]) and np.isfinite(samples).all()
    assert ((samples >= 0) & (samples <= 1)).all()
    assert model.transform(X).min() >= 0


@pytest.mark.parametrize(
    "make, match",
    [
        (
            lambda: DBNClassifier((16,), hidden_units="relu", fine_tuning="up-down"),
            "up-down",
        ),
        (
            lambda: DBNTransformer((16, 8), hidden_units="relu", max_iter=2),
            "Wake-sleep",
        ),
    ],
)
def test_generative_fine_tuning_refuses_rectified_units(make, match):
    X, y = digits(100)
    model = make()
    with pytest.raises(ValueError, match=match) as error:
        model.fit(X, y)
    assert 'hidden_units="bernoulli"' in str(error.value)
    assert not hasattr(model, "coefs_")  # refused before any training


def test_a_stream_keeps_the_units_it_started_with():
    X, y = digits()
    model = DBNClassifier((16,), hidden_units="relu", random_state=0)
    model.partial_fit(X[:200], y[:200], classes=np.arange(10))
    model.set_params(hidden_units="bernoulli")
    model.partial_fit(X[200:], y[200:])
    assert model.hidden_units_ == "relu"
    assert model.auto_params_ == {} or "hidden_units" not in model.auto_params_


@pytest.mark.parametrize(
    "width, expected", [(16, 0.0), (50, 0.04), (96, 0.5), (256, 0.5)]
)
def test_auto_dropout_keeps_48_units_of_a_narrow_layer(width, expected):
    X, y = digits()
    model = DBNClassifier((width,), max_iter=1, pretrain_iter=1, random_state=0)
    assert model.fit(X, y).auto_params_["dropout"] == pytest.approx(expected)
