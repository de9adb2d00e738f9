"""Array API inputs (array-api-strict, PyTorch): the math against numpy's,
and every estimator end to end in the input's own library.

PyTorch tests run where PyTorch is installed and are skipped elsewhere;
sklearn's own Array API checks run from test_common.py.
"""

import pickle

import numpy as np
import pytest
import sklearn
from numpy.testing import assert_allclose
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.utils._array_api import move_estimator_to

from skdeep import (
    DBNClassifier,
    DBNRegressor,
    DBNTransformer,
    StackedAutoencoderClassifier,
    StackedAutoencoderRegressor,
    StackedAutoencoderTransformer,
)
from skdeep._core.activations import HEADS, kl_sparsity, softplus
from skdeep._core.network import Dense, loss_and_gradient
from skdeep._core.optim import SGD, Adam
from skdeep._core.rbm import (
    free_energy,
    mean_hiddens,
    mean_visibles,
    pseudo_log_likelihood,
)
from skdeep._core.xp import DeviceRandom, to_numpy, xp_of

TRANSFORMERS = [DBNTransformer, StackedAutoencoderTransformer]


@pytest.fixture(params=["array_api_strict", "torch"])
def xp(request):
    """The namespace under test (skipped when not installed)."""
    module = pytest.importorskip(request.param)
    if request.param == "torch":
        from sklearn.externals.array_api_compat import torch as compat_torch

        return compat_torch
    return module


def _on(xp, array, dtype=None):
    array = np.asarray(array)
    dtype = dtype or ("float32" if array.dtype == np.float32 else "float64")
    return xp.asarray(array, dtype=getattr(xp, dtype))


@pytest.fixture
def dispatch():
    with sklearn.config_context(array_api_dispatch=True):
        yield


def _rbm(seed=0, n_visible=12, n_hidden=5, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return [
        rng.normal(0, 0.3, (n_visible, n_hidden)).astype(dtype),
        rng.normal(0, 0.1, n_hidden).astype(dtype),
        rng.normal(0, 0.1, n_visible).astype(dtype),
    ]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_rbm_conditionals_and_energies_match_numpy(xp, dtype):
    rng = np.random.default_rng(1)
    V = (rng.random((7, 12)) < 0.4).astype(dtype)
    params = _rbm(dtype=dtype)
    moved = [_on(xp, p) for p in params]
    V_xp = _on(xp, V)
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    H = mean_hiddens(V, *params[:2])
    assert_allclose(to_numpy(mean_hiddens(V_xp, *moved[:2])), H, rtol=rtol)
    for units in ("bernoulli", "gaussian"):
        expected = mean_visibles(H, params[0], params[2], units)
        got = mean_visibles(_on(xp, H), moved[0], moved[2], units)
        assert_allclose(to_numpy(got), expected, rtol=rtol, atol=1e-6)
        assert_allclose(
            to_numpy(free_energy(V_xp, *moved, units)),
            free_energy(V, *params, units),
            rtol=rtol,
        )
    assert_allclose(
        to_numpy(pseudo_log_likelihood(V_xp, *moved, features=[0, 3, 5])),
        pseudo_log_likelihood(V, *params, features=[0, 3, 5]),
        rtol=rtol,
    )


@pytest.mark.parametrize("head", ["sigmoid", "softmax", "identity"])
def test_network_loss_and_gradient_match_numpy(xp, head):
    rng = np.random.default_rng(2)
    X = rng.normal(size=(9, 6))
    Y = np.eye(4)[rng.integers(0, 4, 9)]
    params = [
        rng.normal(0, 0.5, (6, 5)),
        rng.normal(0, 0.1, 5),
        rng.normal(0, 0.5, (5, 4)),
        rng.normal(0, 0.1, 4),
    ]
    layers = [Dense(0, 1, "tanh"), Dense(2, 3, head)]

    def penalty(H):
        return kl_sparsity(H, "tanh", 0.2, 0.5)

    def run(arrays, X, Y, weights):
        return loss_and_gradient(
            arrays,
            layers,
            X,
            Y,
            alpha=0.01,
            penalties={1: penalty},
            sample_weight=weights,
        )

    weights = rng.random(9)
    for w in (None, weights):
        loss, grads = run([p.copy() for p in params], X, Y, w)
        loss_xp, grads_xp = run(
            [_on(xp, p) for p in params],
            _on(xp, X),
            _on(xp, Y),
            None if w is None else _on(xp, w),
        )
        assert loss_xp == pytest.approx(loss, rel=1e-12)
        for g, g_xp in zip(grads, grads_xp, strict=True):
            assert_allclose(to_numpy(g_xp), g, rtol=1e-10, atol=1e-14)


def test_activations_and_heads_match_numpy(xp):
    Z = np.linspace(-40, 40, 24).reshape(4, 6)
    assert_allclose(to_numpy(softplus(_on(xp, Z))), softplus(Z), rtol=1e-12)
    for name, head in HEADS.items():
        got = head.output(_on(xp, Z.copy()))
        assert_allclose(to_numpy(got), head.output(Z.copy()), rtol=1e-12, err_msg=name)


@pytest.mark.parametrize("optimizer", [SGD, Adam])
def test_optimizer_steps_match_numpy(xp, optimizer):
    rng = np.random.default_rng(3)
    params = [rng.normal(size=(4, 3)), rng.normal(size=3)]
    moved = [_on(xp, p) for p in params]
    numpy_opt, xp_opt = optimizer(params, 0.1), optimizer(moved, 0.1)
    for _ in range(3):
        grads = [rng.normal(size=p.shape) for p in params]
        xp_opt.update(moved, [_on(xp, g) for g in grads])
        numpy_opt.update(params, grads)
    for p, p_xp in zip(params, moved, strict=True):
        assert_allclose(to_numpy(p_xp), p, rtol=1e-12)


def test_device_random_draws_in_the_working_dtype_and_range(xp):
    like = _on(xp, np.zeros((2, 2), dtype=np.float32))
    rng = DeviceRandom(np.random.default_rng(0), like)
    U = rng.random((400, 50), dtype=like.dtype)
    assert xp_of(U) is xp_of(like) and U.dtype == like.dtype
    values = to_numpy(U)
    assert values.min() >= 0 and values.max() < 1
    assert abs(values.mean() - 0.5) < 0.01
    N = to_numpy(rng.standard_normal((400, 50), dtype=like.dtype))
    assert abs(N.mean()) < 0.02 and abs(N.std() - 1) < 0.02
    # host-side draws are the numpy generator's
    assert rng.permutation(5).shape == (5,)
    # it keeps no reference to the data it was made for
    big = _on(xp, np.zeros((1000, 100)))
    assert len(pickle.dumps(DeviceRandom(np.random.default_rng(0), big))) < 20000


def _digits(dtype=np.float64):
    X, y = load_digits(return_X_y=True)
    X = (X / 16).astype(dtype)
    return train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)


def _probe(codes_train, codes_test, y_train, y_test):
    clf = LogisticRegression(max_iter=2000).fit(codes_train, y_train)
    return clf.score(codes_test, y_test)


@pytest.mark.parametrize("cls", TRANSFORMERS)
def test_fitted_model_transforms_as_numpy_does(xp, dispatch, cls):
    """Deterministic parts exactly: a numpy model moved to the library gives
    numpy's codes, reconstructions and scores."""
    X_train, X_test, *_ = _digits()
    model = cls((32,), pretrain_iter=2, random_state=0).fit(X_train)
    moved = move_estimator_to(model, xp, None)
    X_xp = _on(xp, X_test)
    codes = moved.transform(X_xp)
    assert xp_of(codes) is xp_of(X_xp)
    assert_allclose(to_numpy(codes), model.transform(X_test), rtol=1e-10)
    assert_allclose(
        to_numpy(moved.inverse_transform(codes)),
        model.inverse_transform(model.transform(X_test)),
        rtol=1e-9,
        atol=1e-12,
    )
    assert moved.score(X_xp) == pytest.approx(model.score(X_test), rel=1e-9)


@pytest.mark.parametrize("cls", TRANSFORMERS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_training_in_the_library_matches_numpy_in_quality(xp, dispatch, cls, dtype):
    """Random draws differ between libraries, so trained models are compared
    by the LogisticRegression probe of their codes on digits."""
    X_train, X_test, y_train, y_test = _digits(dtype)
    make = lambda: cls((64,), pretrain_iter=5, random_state=0)  # noqa: E731
    model = make().fit(X_train)
    model_xp = make().fit(_on(xp, X_train))
    for name in ("coefs_", "intercepts_"):
        for array in getattr(model_xp, name):
            assert xp_of(array) is xp_of(_on(xp, X_train))
            assert array.dtype == _on(xp, X_train).dtype
    reference = _probe(
        model.transform(X_train), model.transform(X_test), y_train, y_test
    )
    got = _probe(
        to_numpy(model_xp.transform(_on(xp, X_train))),
        to_numpy(model_xp.transform(_on(xp, X_test))),
        y_train,
        y_test,
    )
    assert got > reference - 0.03, (got, reference)
    assert np.isfinite(model_xp.score(_on(xp, X_test)))


@pytest.mark.parametrize("cls", TRANSFORMERS)
def test_same_seed_same_model_in_the_library(xp, dispatch, cls):
    X_train, *_ = _digits()
    X_xp = _on(xp, X_train[:300])
    first = cls((16,), pretrain_iter=2, random_state=3).fit(X_xp)
    second = cls((16,), pretrain_iter=2, random_state=3).fit(X_xp)
    assert_allclose(to_numpy(first.coefs_[0]), to_numpy(second.coefs_[0]))


def test_dbn_sampling_and_wake_sleep_stay_in_the_library(xp, dispatch):
    X_train, *_ = _digits()
    X_xp = _on(xp, X_train[:300])
    model = DBNTransformer((16, 8), pretrain_iter=2, max_iter=2, random_state=0).fit(
        X_xp
    )
    assert xp_of(model.generative_coefs_[0]) is xp_of(X_xp)
    samples = model.sample(3, n_gibbs_steps=5, random_state=0)
    assert xp_of(samples) is xp_of(X_xp) and samples.shape == (3, 64)
    scores = model.score_samples(X_xp)
    assert xp_of(scores) is xp_of(X_xp) and scores.shape == (300,)


@pytest.mark.parametrize("cls", TRANSFORMERS)
def test_numpy_input_to_a_model_fitted_elsewhere_is_refused(xp, dispatch, cls):
    X_train, *_ = _digits()
    model = cls((8,), pretrain_iter=1, random_state=0).fit(_on(xp, X_train[:100]))
    with pytest.raises(ValueError, match="must use the same namespace"):
        model.transform(X_train[:5])


@pytest.mark.parametrize("cls", TRANSFORMERS)
def test_without_dispatch_other_arrays_become_numpy(cls):
    torch = pytest.importorskip("torch")
    X_train, *_ = _digits()
    model = cls((8,), pretrain_iter=1, random_state=0).fit(torch.asarray(X_train))
    assert isinstance(model.coefs_[0], np.ndarray)
    assert isinstance(model.transform(torch.asarray(X_train[:5])), np.ndarray)


CLASSIFIERS = [DBNClassifier, StackedAutoencoderClassifier]
REGRESSORS = [DBNRegressor, StackedAutoencoderRegressor]


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_classifiers_train_and_predict_in_the_library(xp, dispatch, cls):
    """Labels come back in the library; trained models match numpy's in
    accuracy (their random draws differ)."""
    X_train, X_test, y_train, y_test = _digits()
    make = lambda: cls((64,), pretrain_iter=3, max_iter=30, random_state=0)  # noqa: E731
    reference = make().fit(X_train, y_train).score(X_test, y_test)
    model = make().fit(_on(xp, X_train), xp.asarray(y_train))
    X_xp = _on(xp, X_test)
    for method in ("predict", "predict_proba", "predict_log_proba"):
        output = getattr(model, method)(X_xp)
        assert xp_of(output) is xp_of(X_xp), method
    proba = to_numpy(model.predict_proba(X_xp))
    assert_allclose(proba.sum(axis=1), 1, rtol=1e-10)
    assert_allclose(to_numpy(model.output_coef_).shape, (64, 10))
    accuracy = model.score(X_xp, xp.asarray(y_test))
    assert isinstance(accuracy, float) and accuracy > reference - 0.03
    assert_allclose(to_numpy(model.predict(X_xp)), model.classes_[proba.argmax(1)])


@pytest.mark.parametrize("cls", REGRESSORS)
def test_regressors_train_and_predict_in_the_library(xp, dispatch, cls):
    X_train, X_test, y_train, y_test = _digits()
    y_train, y_test = y_train * 10.0 + 5, y_test * 10.0 + 5  # scaled back
    make = lambda: cls((32,), pretrain_iter=3, max_iter=50, random_state=0)  # noqa: E731
    reference = make().fit(X_train, y_train).score(X_test, y_test)
    model = make().fit(_on(xp, X_train), _on(xp, y_train))
    prediction = model.predict(_on(xp, X_test))
    assert xp_of(prediction) is xp_of(_on(xp, X_test)) and prediction.shape == (540,)
    assert xp_of(model.target_mean_) is xp_of(prediction)
    assert model.score(_on(xp, X_test), _on(xp, y_test)) > reference - 0.05


@pytest.mark.parametrize("cls", CLASSIFIERS + REGRESSORS)
def test_fitted_supervised_model_predicts_as_numpy_does(xp, dispatch, cls):
    """Deterministic parts exactly: a numpy model moved to the library
    predicts what it predicts on numpy."""
    X_train, X_test, y_train, _ = _digits()
    model = cls((32,), pretrain_iter=2, max_iter=10, random_state=0)
    model.fit(X_train, y_train)
    moved = move_estimator_to(model, xp, None)
    X_xp = _on(xp, X_test)
    prediction = moved.predict(X_xp)
    assert xp_of(prediction) is xp_of(X_xp)
    assert_allclose(to_numpy(prediction), model.predict(X_test), rtol=1e-10)
    if hasattr(model, "predict_proba"):
        assert_allclose(
            to_numpy(moved.predict_proba(X_xp)),
            model.predict_proba(X_test),
            rtol=1e-9,
            atol=1e-15,
        )


def test_semi_supervised_weighted_early_stopping_in_the_library(xp, dispatch):
    """Pseudo-labels (propagated on the host), row weights and a held-out
    split all work with the data in the library."""
    X_train, X_test, y_train, y_test = _digits()
    y = np.where(np.arange(len(y_train)) % 4 == 0, y_train, -1)
    weights = np.linspace(0.5, 1.5, len(y))

    def make():
        return DBNClassifier(
            (64,),
            pretrain_iter=3,
            max_iter=20,
            pseudo_label_iter=5,
            unlabeled_label=-1,
            early_stopping=True,
            random_state=0,
        )

    reference = make().fit(X_train, y, sample_weight=weights).score(X_test, y_test)
    model = make().fit(_on(xp, X_train), xp.asarray(y), sample_weight=_on(xp, weights))
    assert len(model.validation_scores_) > 0
    assert model.score(_on(xp, X_test), xp.asarray(y_test)) > reference - 0.05


def test_up_down_classifier_and_its_samples_in_the_library(xp, dispatch):
    X_train, X_test, y_train, y_test = _digits()
    model = DBNClassifier(
        (32,), fine_tuning="up-down", pretrain_iter=5, max_iter=3, random_state=0
    ).fit(_on(xp, X_train), xp.asarray(y_train))
    X_xp = _on(xp, X_test)
    assert xp_of(model.predict_proba(X_xp)) is xp_of(X_xp)
    assert model.score(X_xp, xp.asarray(y_test)) > 0.5
    samples = model.sample(np.array([0, 1, 2]), n_gibbs_steps=5, random_state=0)
    assert xp_of(samples) is xp_of(X_xp) and samples.shape == (3, 64)


@pytest.mark.parametrize("cls", CLASSIFIERS + REGRESSORS)
def test_numpy_input_to_a_supervised_model_fitted_elsewhere_is_refused(
    xp, dispatch, cls
):
    X_train, _, y_train, _ = _digits()
    model = cls((8,), pretrain_iter=1, max_iter=2, random_state=0)
    model.fit(_on(xp, X_train[:100]), xp.asarray(y_train[:100] * 1.0))
    with pytest.raises(ValueError, match=r"\.predict\(\) must use the same namespace"):
        model.predict(X_train[:5])


@pytest.mark.parametrize("cls", TRANSFORMERS)
def test_partial_fit_and_pickle_stay_in_the_library(xp, dispatch, cls):
    """A streamed model, pickled halfway (its device generator included),
    goes on in the library."""
    X_train, *_ = _digits()
    X_xp = _on(xp, X_train[:300])
    model = cls((8,), random_state=0)
    for start in (0, 100):
        model.partial_fit(X_xp[start : start + 100, ...])
    restored = pickle.loads(pickle.dumps(model))
    restored.partial_fit(X_xp[200:, ...])
    assert xp_of(restored.coefs_[0]) is xp_of(X_xp)
    assert restored.n_iter_ == model.n_iter_ + 1
    assert xp_of(restored.transform(X_xp)) is xp_of(X_xp)


@pytest.mark.parametrize("cls", CLASSIFIERS + REGRESSORS)
def test_supervised_streaming_and_warm_start_in_the_library(xp, dispatch, cls):
    X_train, _, y_train, _ = _digits()
    y = y_train if cls in CLASSIFIERS else y_train * 1.0
    extra = {"classes": np.arange(10)} if cls in CLASSIFIERS else {}
    model = cls((8,), pretrain_iter=1, random_state=0)
    for start in (0, 400):
        rows = slice(start, start + 400)
        model.partial_fit(_on(xp, X_train[rows]), xp.asarray(y[rows]), **extra)
    restored = pickle.loads(pickle.dumps(model))
    restored.partial_fit(_on(xp, X_train[800:]), xp.asarray(y[800:]))
    assert len(restored.loss_curve_) == len(model.loss_curve_) + 1
    assert xp_of(restored.output_coef_) is xp_of(_on(xp, X_train))
    warm = cls((8,), pretrain_iter=1, max_iter=3, warm_start=True, random_state=0)
    warm.fit(_on(xp, X_train), xp.asarray(y)).fit(_on(xp, X_train), xp.asarray(y))
    assert warm.n_iter_ == 3 and len(warm.loss_curve_) == 6
