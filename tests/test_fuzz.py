"""Property-based tests: every public estimator on generated data and
hyperparameters either fits and gives finite outputs, or raises a ValueError
or TypeError that says what is wrong; never another exception, never a
RuntimeWarning, never a change to the caller's arrays.

The "ci" profile (the default here) runs a fixed, derandomized set of cases,
so that CI is reproducible; ``HYPOTHESIS_PROFILE=explore`` draws new ones.
"""

import os
import warnings
from collections import Counter

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.exceptions import ConvergenceWarning, DataConversionWarning

import skdeep

N_CASES = 1000
settings.register_profile(
    "ci",
    max_examples=N_CASES,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)
settings.register_profile(
    "explore", parent=settings.get_profile("ci"), derandomize=False
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

ESTIMATORS = {
    name: getattr(skdeep, name)
    for name in skdeep.__all__
    if isinstance(getattr(skdeep, name), type)
}
DTYPES = [np.float16, np.float32, np.float64, np.int8, np.int32, np.int64, bool]
# what each case ended in, by kind of input: the counts the issue asks for
OUTCOMES = Counter()
MESSAGES = Counter()
INPUTS = Counter()


@st.composite
def hyperparameters(draw, name):
    """Random settings within each parameter's constraints, kept small."""
    params = {
        "hidden_layer_sizes": tuple(
            draw(st.lists(st.integers(1, 8), min_size=1, max_size=2))
        ),
        "pretrain_iter": draw(st.integers(0, 2)),
        "batch_size": draw(st.one_of(st.just("auto"), st.integers(1, 40))),
        "random_state": draw(st.integers(0, 5)),
        "sparsity_target": draw(st.floats(0.01, 0.99)),
        "sparsity_weight": draw(st.sampled_from([0.0, 0.1, 3.0])),
        "alpha": draw(st.sampled_from([0.0, 1e-5, 1e-2])),
    }
    if name.startswith("StackedAutoencoder"):
        params["activation"] = draw(st.sampled_from(["sigmoid", "tanh", "relu"]))
        params["corruption"] = draw(st.sampled_from([0.0, 0.3, 0.9]))
        params["tied_weights"] = draw(st.booleans())
        params["solver"] = draw(st.sampled_from(["adam", "sgd"]))
        rate = (
            "learning_rate_init"
            if name.endswith("Transformer")
            else ("pretrain_learning_rate")
        )
        params[rate] = draw(st.sampled_from([1e-3, 0.01, 10.0]))
    else:
        params["pretrain_learning_rate"] = draw(st.sampled_from(["auto", 10.0]))
        params["visible_units"] = draw(st.sampled_from(["auto", "gaussian"]))
        params["persistent"] = draw(st.booleans())
        params["n_gibbs_steps"] = draw(st.integers(1, 2))
    if not name.endswith("Transformer") or name.startswith("StackedAutoencoder"):
        params["max_iter"] = draw(st.integers(0, 5))
    if not name.endswith("Transformer"):
        params["dropout"] = draw(st.sampled_from([0.0, 0.5, 0.9]))
        params["input_dropout"] = draw(st.sampled_from([0.0, 0.2]))
        params["early_stopping"] = draw(st.booleans())
        params["fine_tuning"] = draw(st.sampled_from(["backprop", "none"]))
        params["learning_rate_init"] = draw(st.sampled_from(["auto", 1e-4, 100.0]))
    return params


@st.composite
def matrices(draw):
    """(X, kind): shapes from 1 x 1 to more columns than rows, any dtype,
    magnitudes from 1e-30 to 1e30 and extreme finite ones (1e-300 up to the
    largest float64), constant and zero columns, and sometimes NaN or inf;
    ``kind`` says whether X (after its cast) is finite."""
    n_rows, n_cols = draw(st.integers(1, 30)), draw(st.integers(1, 12))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    scale = draw(
        st.one_of(
            st.integers(-30, 30).map(lambda e: 10.0**e),
            st.sampled_from([1e-300, 1e200, 1e300, np.finfo(np.float64).max]),
        )
    )
    # uniform in (-1, 1): the largest scale stays finite, as in sklearn's test
    X = rng.uniform(-1, 1, (n_rows, n_cols)) * scale
    if draw(st.booleans()):
        X = np.abs(X) / max(np.abs(X).max(), 1e-300)  # in [0, 1]
    if n_cols > 1 and draw(st.booleans()):
        X[:, 0] = draw(st.sampled_from([0.0, 1.0, 7.5]))  # constant column
    if draw(st.integers(0, 5)) == 0:
        X[rng.integers(n_rows), rng.integers(n_cols)] = draw(
            st.sampled_from([np.nan, np.inf, -np.inf])
        )
    dtype = draw(st.sampled_from(DTYPES))
    with np.errstate(all="ignore"):  # the cast itself is the test's input
        X = X.astype(dtype)
    kind = "finite"
    if X.dtype.kind == "f" and not np.isfinite(X).all():  # float16 overflows too
        kind = "nan" if np.isnan(X).any() else "inf"
    return X, kind


def container(X, how):
    if how == "csr":  # scipy.sparse has no float16
        return sp.csr_matrix(X.astype(np.float32) if X.dtype == np.float16 else X)
    if how == "pandas":
        return pd.DataFrame(X, columns=[f"f{j}" for j in range(X.shape[1])])
    return X


def targets(name, n_rows, seed):
    rng = np.random.default_rng(seed)
    if name.endswith("Transformer"):
        return None
    if name.endswith("Regressor"):
        return rng.standard_normal(n_rows) * 10.0 ** rng.integers(-5, 6)
    return rng.integers(0, 3, n_rows)


def outputs(estimator, X):
    found = []
    for method in ("transform", "predict", "predict_proba", "score_samples"):
        if hasattr(estimator, method):
            found.append(np.asarray(getattr(estimator, method)(X), dtype=float))
    return found


@given(
    name=st.sampled_from(sorted(ESTIMATORS)),
    data=st.data(),
)
def test_estimators_fit_or_refuse_clearly(name, data):
    X, kind = data.draw(matrices(), label="X")
    how = data.draw(st.sampled_from(["dense", "csr", "pandas"]), label="container")
    params = data.draw(hyperparameters(name), label="params")
    y = targets(name, X.shape[0], params["random_state"])
    X_in = container(X, how)
    X_before = X.copy()
    y_before = None if y is None else y.copy()
    estimator = ESTIMATORS[name](**params)
    INPUTS[f"{X.dtype.name} {how}"] += 1
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", DataConversionWarning)
        try:
            estimator.fit(X_in, y)
            produced = outputs(estimator, X_in)
        except (ValueError, TypeError) as error:
            assert str(error), "an error must say what is wrong"
            OUTCOMES[(kind, type(error).__name__)] += 1
            MESSAGES[str(error)[:90]] += 1
            produced = None
    np.testing.assert_array_equal(X, X_before)  # the input is unchanged
    if y is not None:
        np.testing.assert_array_equal(y, y_before)
    if produced is not None:
        assert kind != "nan" and kind != "inf", "non-finite input was accepted"
        for out in produced:
            assert np.isfinite(out).all(), f"{name} gave non-finite outputs"
        OUTCOMES[(kind, "fitted")] += 1


@pytest.fixture(scope="module", autouse=True)
def _report_outcomes():
    yield
    if OUTCOMES:
        lines = [
            f"  {kind:8s} {outcome:10s} {n}"
            for (kind, outcome), n in sorted(OUTCOMES.items())
        ]
        print(f"\nfuzz outcomes ({sum(OUTCOMES.values())} cases):\n" + "\n".join(lines))
        print("inputs: " + ", ".join(f"{k} {n}" for k, n in sorted(INPUTS.items())))
        if os.environ.get("FUZZ_MESSAGES"):
            for message, n in MESSAGES.most_common():
                print(f"  {n:4d}  {message}")
