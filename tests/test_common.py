"""scikit-learn's estimator checks on every public estimator of skdeep.

Estimators are discovered from ``skdeep.__all__``; each is checked at its
defaults and at the fast parameters the other tests use (``FAST_PARAMS``).
Checks that ``parametrize_with_checks`` does not yield run explicitly below.
"""

import inspect

import pytest
from sklearn.base import BaseEstimator, TransformerMixin
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

# Small, quick settings per estimator; an estimator missing here is still
# checked at its defaults.
FAST_PARAMS = {
    "DBNTransformer": [
        dict(hidden_layer_sizes=(8, 4), pretrain_iter=2, wake_sleep_iter=2),
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
            max_iter=2,
        ),
        dict(
            hidden_layer_sizes=(8,),
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
            dropout=0.2,
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


def public_estimators():
    """Every public estimator class exported by skdeep."""
    classes = (getattr(skdeep, name) for name in skdeep.__all__)
    return [c for c in classes if inspect.isclass(c) and issubclass(c, BaseEstimator)]


def estimator_instances():
    instances = []
    for cls in public_estimators():
        instances.append(cls())
        instances.extend(cls(**params) for params in FAST_PARAMS.get(cls.__name__, []))
    return instances


def _id(estimator):
    return repr(estimator).replace("\n", "").replace(" ", "")


def test_every_public_estimator_is_discovered():
    names = {cls.__name__ for cls in public_estimators()}
    assert {"StackedAutoencoderTransformer", "DBNTransformer", "DBNClassifier"} <= names
    assert names >= set(FAST_PARAMS)


@parametrize_with_checks(estimator_instances())
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


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
