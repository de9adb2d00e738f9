"""Trust: interrupted fits leave nothing half-written, concurrent inference
equals serial inference, extreme inputs give finite outputs."""

import sys
import threading
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_diabetes, load_digits
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV
from sklearn.utils.validation import check_is_fitted

import skdeep
from skdeep._core import optim as _optim

pytestmark = pytest.mark.usefixtures("quiet_convergence")

FAST = {
    "DBNClassifier": dict(pretrain_iter=2, max_iter=5),
    "DBNRegressor": dict(pretrain_iter=2, max_iter=5),
    "DBNTransformer": dict(pretrain_iter=2),
    "StackedAutoencoderClassifier": dict(pretrain_iter=2, max_iter=5),
    "StackedAutoencoderRegressor": dict(pretrain_iter=2, max_iter=5),
    "StackedAutoencoderTransformer": dict(pretrain_iter=2, max_iter=2),
}
ESTIMATORS = [getattr(skdeep, name) for name in sorted(FAST)]


def make(cls, **params):
    params = {**FAST[cls.__name__], **params}
    return cls(hidden_layer_sizes=(16,), random_state=0, **params)


def data_for(cls):
    if cls.__name__.endswith("Regressor"):
        X, y = load_diabetes(return_X_y=True)
        return (X - X.mean(axis=0)) / X.std(axis=0), y
    X, y = load_digits(return_X_y=True)
    return X[:500] / 16, y[:500]


def outputs(estimator, X):
    if hasattr(estimator, "transform"):
        return estimator.transform(X)
    if hasattr(estimator, "predict_proba"):
        return estimator.predict_proba(X)
    return estimator.predict(X)


class Interrupt:
    """Makes every optimizer raise KeyboardInterrupt at its ``after``-th step
    (counted over all optimizers): a Ctrl-C in the middle of training."""

    def __init__(self, monkeypatch, after):
        self.calls = 0
        self.after = after
        for cls in (_optim.SGD, _optim.Adam):
            monkeypatch.setattr(cls, "update", self._wrap(cls.update))

    def _wrap(self, update):
        def interrupted(optimizer, params, grads):
            self.calls += 1
            if self.calls == self.after:
                raise KeyboardInterrupt
            return update(optimizer, params, grads)

        return interrupted


def state(estimator):
    """Every attribute, arrays compared by value."""
    return {
        k: [np.array(a, copy=True) for a in v]
        if isinstance(v, list) and v and isinstance(v[0], np.ndarray)
        else v
        for k, v in vars(estimator).items()
        if not k.startswith("_stream")
    }


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("after", [1, 7, 15])
def test_interrupted_first_fit_leaves_an_unfitted_estimator(cls, after, monkeypatch):
    X, y = data_for(cls)
    estimator = make(cls)
    params = estimator.get_params()
    Interrupt(monkeypatch, after)
    with pytest.raises(KeyboardInterrupt):
        estimator.fit(X, y)
    assert estimator.get_params() == params
    assert set(vars(estimator)) == set(params)  # no fitted attribute written
    with pytest.raises(NotFittedError):
        check_is_fitted(estimator)


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("how", ["refit", "warm_start", "partial_fit"])
def test_interrupted_later_fit_keeps_the_fitted_model(cls, how, monkeypatch):
    X, y = data_for(cls)
    estimator = make(cls).fit(X, y)
    if how == "warm_start":
        if not hasattr(estimator, "warm_start"):
            pytest.skip("transformers have no warm_start")
        estimator.set_params(warm_start=True)
    before = outputs(estimator, X)
    attributes = set(vars(estimator))
    Interrupt(monkeypatch, 2)  # in the middle of an epoch
    with pytest.raises(KeyboardInterrupt):
        if how == "partial_fit":
            estimator.partial_fit(X[:200], y[:200])
        else:
            estimator.fit(X, y)
    assert set(vars(estimator)) == attributes
    np.testing.assert_array_equal(outputs(estimator, X), before)


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda c: c.__name__)
def test_a_bad_input_error_loses_nothing(cls):
    X, y = data_for(cls)
    estimator = make(cls).fit(X, y)
    before = outputs(estimator, X)
    X_bad = X.copy()
    X_bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        estimator.fit(X_bad, y)
    np.testing.assert_array_equal(outputs(estimator, X), before)


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda c: c.__name__)
def test_inference_from_eight_threads_equals_serial(cls):
    X, y = data_for(cls)
    estimator = make(cls).fit(X, y)
    expected = outputs(estimator, X)
    results = [None] * 8
    start = threading.Barrier(8)

    def work(i):
        start.wait()
        results[i] = outputs(estimator, X)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for result in results:
        np.testing.assert_array_equal(result, expected)


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda c: c.__name__)
def test_fits_in_threads_equal_serial_fits(cls):
    """GridSearchCV with the threading backend: same scores as serially."""
    from joblib import parallel_backend

    X, y = data_for(cls)
    y = None if cls.__name__.endswith("Transformer") else y
    grid = {"hidden_layer_sizes": [(8,), (16,)]}
    serial = GridSearchCV(make(cls), grid, cv=2).fit(
        X[:300], None if y is None else y[:300]
    )
    with parallel_backend("threading", n_jobs=4):
        threaded = GridSearchCV(make(cls), grid, cv=2, n_jobs=4)
        threaded.fit(X[:300], None if y is None else y[:300])
    np.testing.assert_array_equal(
        serial.cv_results_["mean_test_score"], threaded.cv_results_["mean_test_score"]
    )


def module_globals():
    """repr of every module-level container of skdeep's modules."""
    found = {}
    for name, module in sys.modules.items():
        if not name.startswith("skdeep."):
            continue
        for attr, value in vars(module).items():
            python_own = attr.startswith("__")  # __warningregistry__, __all__
            if isinstance(value, (dict, list, set, np.ndarray)) and not python_own:
                found[f"{name}.{attr}"] = repr(value)
    return found


def test_training_and_inference_change_no_global_state():
    before = module_globals()
    assert before  # the registries and constants are seen
    for cls in ESTIMATORS:
        X, y = data_for(cls)
        estimator = make(cls).fit(X, y)
        outputs(estimator, X)
        estimator.partial_fit(X[:100], y[:100])
    assert module_globals() == before


# ---- secure persistence with skops ------------------------------------------

sio = pytest.importorskip("skops.io")


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("streamed", [False, True])
def test_skops_round_trip_with_the_listed_types_only(cls, streamed, tmp_path):
    X, y = data_for(cls)
    estimator = make(cls).fit(X, y)
    if streamed:  # the streaming state travels too
        estimator.partial_fit(X[:100], y[:100])
    path = tmp_path / "model.skops"
    sio.dump(estimator, path)
    untrusted = sio.get_untrusted_types(file=path)
    assert set(untrusted) <= set(skdeep.trusted_types())
    loaded = sio.load(path, trusted=skdeep.trusted_types())
    np.testing.assert_array_equal(outputs(loaded, X), outputs(estimator, X))
    if streamed:  # and goes on as the original would
        for model in (estimator, loaded):
            model.partial_fit(X[100:200], y[100:200])
        np.testing.assert_array_equal(outputs(loaded, X), outputs(estimator, X))


class Foreign:
    """A type no one listed."""


def test_skops_refuses_a_file_with_a_foreign_type(tmp_path):
    X, y = data_for(skdeep.DBNClassifier)
    estimator = make(skdeep.DBNClassifier).fit(X, y)
    estimator._payload = Foreign()
    path = tmp_path / "model.skops"
    sio.dump(estimator, path)
    assert "tests.utils.test_persistence.Foreign" in sio.get_untrusted_types(file=path)
    with pytest.raises(sio.exceptions.UntrustedTypesFoundException):
        sio.load(path, trusted=skdeep.trusted_types())


# ---- numerical robustness -----------------------------------------------------


@pytest.mark.parametrize("scale", [1e6, 1e-6])
def test_gaussian_visibles_at_any_scale(scale):
    """Standardization inside: inputs of scale 1e6 or 1e-6 train without a
    floating-point warning and give the features of the unscaled data."""
    X, _ = load_diabetes(return_X_y=True)
    reference = skdeep.DBNTransformer((8,), pretrain_iter=3, random_state=0).fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        scaled = skdeep.DBNTransformer((8,), pretrain_iter=3, random_state=0)
        codes = scaled.fit(X * scale).transform(X * scale)
    np.testing.assert_allclose(codes, reference.transform(X), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name", ["DBNClassifier", "StackedAutoencoderRegressor"])
def test_diverging_fine_tuning_raises_and_keeps_the_fitted_model(name):
    cls = getattr(skdeep, name)
    X, y = data_for(cls)
    estimator = make(cls, max_iter=20, dropout=0.0).fit(X, y)
    before = outputs(estimator, X)
    estimator.set_params(learning_rate_init=1e8, warm_start=True)
    with pytest.raises(ValueError, match="fine-tuning: training diverged"):
        estimator.fit(X, y)
    np.testing.assert_array_equal(outputs(estimator, X), before)


@pytest.mark.parametrize("name", ["DBNClassifier", "StackedAutoencoderClassifier"])
@pytest.mark.parametrize("multilabel", [False, True])
def test_extreme_logits_give_finite_probabilities(name, multilabel):
    X, y = data_for(skdeep.DBNClassifier)
    if multilabel:
        y = np.column_stack([y % 2, y > 4]).astype(int)
    clf = make(getattr(skdeep, name)).fit(X, y)
    clf.output_coef_ *= 1e30  # logits of +-1e30 and more
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        proba = clf.predict_proba(X)
        log_proba = clf.predict_log_proba(X)
    assert np.isfinite(proba).all() and proba.min() >= 0 and proba.max() <= 1
    assert not np.isnan(log_proba).any()
    if not multilabel:
        np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-12)
