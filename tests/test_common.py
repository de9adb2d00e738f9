"""scikit-learn's estimator checks on every public estimator of skdeep.

Estimators are discovered from ``skdeep.__all__``; each is checked at its
defaults and at the fast parameters the other tests use (``FAST_PARAMS``).
Checks that ``parametrize_with_checks`` does not yield run explicitly below.
"""

import inspect
import tracemalloc
import warnings

import numpy as np
import pytest
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.estimator_checks import (
    check_dataframe_column_names_consistency,
    check_global_output_transform_pandas,
    check_param_validation,
    check_set_output_transform,
    check_set_output_transform_pandas,
    check_transformer_get_feature_names_out,
    check_transformer_get_feature_names_out_pandas,
    parametrize_with_checks,
)

import skdeep
from skdeep._utils.validation import check_hidden_layer_sizes

# Small, quick settings per estimator; an estimator missing here is still
# checked at its defaults.
FAST_PARAMS = {
    "DBNTransformer": [
        dict(hidden_layer_sizes=(8, 4), pretrain_iter=2, max_iter=2),
        dict(hidden_layer_sizes=(8, 4), hidden_units="relu", pretrain_iter=2),
        dict(
            hidden_layer_sizes=(6,),
            visible_units="gaussian",
            persistent=True,
            n_gibbs_steps=2,
            sparsity_weight=0.1,
            pretrain_learning_rate=0.01,
            pretrain_iter=3,
        ),
    ],
    "DBNClassifier": [
        dict(
            hidden_layer_sizes=(16,),
            fine_tuning="up-down",
            pretrain_iter=20,
            pretrain_tol=0.0,
            max_iter=2,
        ),
        dict(
            hidden_layer_sizes=(8,),
            pretrain_iter=2,
            max_iter=50,
            learning_rate_init=0.01,
        ),
        dict(
            hidden_layer_sizes=(16, 8),
            hidden_units="relu",
            pretrain_iter=2,
            max_iter=50,
            learning_rate_init=0.01,
        ),
        dict(
            hidden_layer_sizes=(16,),
            fine_tuning="none",
            pretrain_iter=5,
            max_iter=100,
            learning_rate_init=0.01,
            early_stopping=True,
            validation_fraction=0.2,
            dropout=0.2,
        ),
    ],
    "DBNRegressor": [
        dict(hidden_layer_sizes=(16,), pretrain_iter=2, max_iter=100, dropout=0.1),
        dict(hidden_layer_sizes=(16, 8), hidden_units="relu", pretrain_iter=2),
        dict(
            hidden_layer_sizes=(16, 8),
            persistent=True,
            pretrain_iter=5,
            max_iter=100,
            early_stopping=True,
            validation_fraction=0.2,
            dropout=0.0,
        ),
    ],
    "StackedAutoencoderClassifier": [
        dict(hidden_layer_sizes=(8,), pretrain_iter=2, max_iter=50),
        dict(
            hidden_layer_sizes=(16, 8),
            fine_tuning="none",
            pretrain_iter=5,
            max_iter=100,
            learning_rate_init=0.01,
            early_stopping=True,
            validation_fraction=0.2,
            dropout=0.2,
        ),
    ],
    "StackedAutoencoderRegressor": [
        dict(hidden_layer_sizes=(16,), pretrain_iter=2, max_iter=100, dropout=0.1),
        dict(
            hidden_layer_sizes=(16,),
            activation="tanh",
            fine_tuning="none",
            pretrain_iter=5,
            max_iter=100,
            early_stopping=True,
            validation_fraction=0.2,
        ),
    ],
    "StackedAutoencoderTransformer": [
        dict(hidden_layer_sizes=(8, 4), pretrain_iter=2, max_iter=2),
        dict(
            hidden_layer_sizes=(6,),
            activation="sigmoid",
            tied_weights=False,
            corruption=0.3,
            solver="sgd",
            pretrain_iter=3,
            max_iter=0,
        ),
    ],
}


# Fitting with integer sample weights equals fitting on repeated rows only
# where training is deterministic: minibatches, dropout, masking noise and
# Gibbs sampling all draw differently for repeated rows. These settings
# (no pretraining epochs, no dropout, one full-batch minibatch) are, so
# the check runs on them; tests/test_network.py checks the weighted loss and
# gradient against repeated rows exactly.
DETERMINISTIC_PARAMS = dict(
    pretrain_iter=0,
    dropout=0.0,
    max_iter=200,
    learning_rate_init=0.01,
    batch_size=10**6,
)
STOCHASTIC_WEIGHTS_REASON = (
    "stochastic minibatch training (shuffling, dropout, masking noise, Gibbs "
    "sampling): weights equal repeated rows in expectation, not bit for bit; "
    "checked exactly with DETERMINISTIC_PARAMS"
)
SAMPLE_WEIGHT_CHECKS = (
    "check_sample_weight_equivalence_on_dense_data",
    "check_sample_weight_equivalence_on_sparse_data",
)
UP_DOWN_REASON = (
    'fine_tuning="up-down" trains a generative model by CD and wake-sleep, '
    "which take no row weights: it refuses sample_weight with a ValueError "
    '(tested in test_dbn.py); "backprop" and "none" take them'
)
UP_DOWN_CHECKS = (
    "check_sample_weights_pandas_series",
    "check_sample_weights_not_an_array",
    "check_sample_weights_list",
    "check_all_zero_sample_weights_error",
    "check_sample_weights_shape",
    "check_sample_weights_not_overwritten",
    "check_classifiers_one_label_sample_weights",
    # sklearn's mixed-library check passes sample weights of ones
    "check_array_api_mixed_inputs",
    *SAMPLE_WEIGHT_CHECKS,
)


EARLY_STOPPING_REASON = (
    "as in MLPClassifier, partial_fit raises a ValueError with "
    "early_stopping=True (tested in test_mlp_conventions.py); the settings "
    "with early stopping run every other check"
)
EARLY_STOPPING_CHECKS = (
    "check_fit_score_takes_y",
    "check_n_features_in_after_fitting",
    "check_estimators_partial_fit_n_features",
)


def expected_failed_checks(estimator):
    """Checks each instance is expected to fail, with the reason."""
    params = estimator.get_params()
    deterministic = all(params.get(k) == v for k, v in DETERMINISTIC_PARAMS.items())
    if "sample_weight" not in inspect.signature(estimator.fit).parameters:
        return {}
    if params.get("fine_tuning") == "up-down":
        return dict.fromkeys(UP_DOWN_CHECKS, UP_DOWN_REASON)
    failing = {}
    if params.get("early_stopping"):
        failing |= dict.fromkeys(EARLY_STOPPING_CHECKS, EARLY_STOPPING_REASON)
    if not deterministic:
        failing |= dict.fromkeys(SAMPLE_WEIGHT_CHECKS, STOCHASTIC_WEIGHTS_REASON)
    return failing


def public_estimators():
    """Every public estimator class exported by skdeep."""
    classes = (getattr(skdeep, name) for name in skdeep.__all__)
    return [c for c in classes if inspect.isclass(c) and issubclass(c, BaseEstimator)]


def estimator_instances():
    instances = []
    for cls in public_estimators():
        instances.append(cls())
        instances.extend(cls(**params) for params in FAST_PARAMS.get(cls.__name__, []))
        if "sample_weight" in inspect.signature(cls.fit).parameters:
            instances.append(cls(hidden_layer_sizes=(8,), **DETERMINISTIC_PARAMS))
    return instances


def _id(estimator):
    return repr(estimator).replace("\n", "").replace(" ", "")


def test_every_public_estimator_is_discovered():
    names = {cls.__name__ for cls in public_estimators()}
    assert {"StackedAutoencoderTransformer", "DBNTransformer", "DBNClassifier"} <= names
    assert names >= set(FAST_PARAMS)


@parametrize_with_checks(
    estimator_instances(), expected_failed_checks=expected_failed_checks
)
def test_sklearn_compatible_estimator(estimator, check):
    if _needs_missing_gpu(check):
        pytest.skip("a CUDA build of PyTorch without a usable CUDA device")
    check(estimator)


def _needs_missing_gpu(check):
    """sklearn's Array API checks skip CUDA only when PyTorch was built
    without it; a CUDA build on a machine without a GPU would fail them."""
    keywords = getattr(check, "keywords", {})
    devices = [keywords.get("device_name")]
    for key in ("X_ns_and_device", "other_ns_and_device"):
        if key in keywords:
            devices.append(keywords[key].device)
    if "cuda" not in devices:
        return False
    try:
        import torch
    except ImportError:
        return False
    return not torch.cuda.is_available()


@pytest.mark.parametrize("estimator", estimator_instances(), ids=_id)
def test_param_validation(estimator):
    check_param_validation(type(estimator).__name__, estimator)


@pytest.mark.parametrize("estimator", estimator_instances(), ids=_id)
def test_dataframe_column_names_consistency(estimator):
    check_dataframe_column_names_consistency(type(estimator).__name__, estimator)


TRANSFORMER_CHECKS = [
    check_set_output_transform,
    check_set_output_transform_pandas,
    check_global_output_transform_pandas,
    check_transformer_get_feature_names_out,
    check_transformer_get_feature_names_out_pandas,
]


@pytest.mark.parametrize(
    "estimator",
    [e for e in estimator_instances() if isinstance(e, TransformerMixin)],
    ids=_id,
)
@pytest.mark.parametrize("check", TRANSFORMER_CHECKS, ids=lambda c: c.__name__)
def test_transformer_output_checks(estimator, check):
    check(type(estimator).__name__, estimator)


# The performance contract (issue: speed), checked without timing anything:
# float32 stays float32, fit makes no copy of X, inference works in chunks
# whose results equal one pass over all rows, and its memory stays bounded by
# the output plus one chunk.


def fast_instances():
    return [
        cls(**params, random_state=0)
        for cls in public_estimators()
        for params in FAST_PARAMS.get(cls.__name__, [])
    ]


def binary_data(n_samples=20000, n_features=200):
    rng = np.random.default_rng(0)
    X = (rng.random((n_samples, n_features)) < 0.3).astype(np.float32)
    y = (X[:, :3].sum(axis=1) > 0.9).astype(int) + (X[:, 3] > 0.5)
    return X, y


def inference_outputs(estimator, X):
    """Every row-wise output of a fitted estimator on X, by method name."""
    if isinstance(estimator, TransformerMixin):
        codes = estimator.transform(X)
        outputs = {"transform": codes, "inverse": estimator.inverse_transform(codes)}
        if hasattr(estimator, "score_samples"):
            outputs["score_samples"] = estimator.score_samples(X)
        return outputs
    if hasattr(estimator, "predict_proba"):
        return {"predict_proba": estimator.predict_proba(X)}
    return {"predict": estimator.predict(X)}


def fit(estimator, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y)


@pytest.mark.parametrize("estimator", fast_instances(), ids=_id)
def test_fit_keeps_float32_and_makes_no_copy_of_X(estimator):
    X, y = binary_data()
    tracemalloc.start()
    try:
        fit(estimator, X, y)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 0.5 * X.nbytes, f"fit allocated {peak / X.nbytes:.2f}x X"
    for name, out in inference_outputs(estimator, X).items():
        assert out.dtype == np.float32, name


@pytest.mark.parametrize("estimator", fast_instances(), ids=_id)
def test_chunked_inference_equals_one_pass(estimator, monkeypatch):
    X, y = binary_data(n_samples=300)
    fit(estimator, X, y)
    assert X.shape[0] <= skdeep._core.arrays.CHUNK_SIZE
    one_pass = inference_outputs(estimator, X)
    monkeypatch.setattr(skdeep._core.arrays, "CHUNK_SIZE", 7)
    chunked = inference_outputs(estimator, X)
    for name, expected in one_pass.items():
        np.testing.assert_allclose(chunked[name], expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    "estimator", [e for e in fast_instances() if isinstance(e, TransformerMixin)]
)
def test_transform_memory_is_output_plus_one_chunk(estimator):
    X, y = binary_data(n_samples=12 * skdeep._core.arrays.CHUNK_SIZE)
    fit(estimator, X, y)
    tracemalloc.start()
    try:
        codes = estimator.transform(X)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    widest = max(X.shape[1], *check_hidden_layer_sizes(estimator.hidden_layer_sizes))
    chunk = skdeep._core.arrays.CHUNK_SIZE * widest * X.itemsize
    assert peak < codes.nbytes + 4 * chunk
