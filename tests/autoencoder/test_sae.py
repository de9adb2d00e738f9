import io
import pickle
import warnings
from contextlib import redirect_stdout

import joblib
import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from skdeep import (
    StackedAutoencoderClassifier,
    StackedAutoencoderRegressor,
    StackedAutoencoderTransformer,
)

FAST = dict(hidden_layer_sizes=(16, 8), pretrain_iter=3, max_iter=2, random_state=0)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:400] / 16, y[:400]


def test_fit_transform_shapes_and_attributes(digits):
    X, _ = digits
    sae = StackedAutoencoderTransformer(**FAST).fit(X)
    assert sae.transform(X).shape == (400, 8)
    assert [W.shape for W in sae.coefs_] == [(64, 16), (16, 8)]
    assert [W.shape for W in sae.decoder_coefs_] == [(16, 64), (8, 16)]
    assert [b.shape for b in sae.decoder_intercepts_] == [(64,), (16,)]
    assert sae.decoders_ == ["sigmoid", "identity"]
    assert [len(c) for c in sae.pretrain_loss_curves_] == [3, 3]
    assert len(sae.loss_curve_) == 2 and sae.n_iter_ == 8
    assert sae.inverse_transform(sae.transform(X)).shape == X.shape


def test_pretraining_and_fine_tuning_lower_their_losses(digits):
    X, _ = digits
    sae = StackedAutoencoderTransformer(
        (32, 16), activation="sigmoid", pretrain_iter=15, max_iter=15, random_state=0
    ).fit(X)
    for curve in sae.pretrain_loss_curves_:
        assert curve[-1] < 0.9 * curve[0]
    assert sae.loss_curve_[-1] < sae.loss_curve_[0]


def test_fine_tuning_improves_reconstruction(digits):
    X, _ = digits
    greedy = StackedAutoencoderTransformer((32, 8), max_iter=0, random_state=0).fit(X)
    tuned = StackedAutoencoderTransformer((32, 8), max_iter=20, random_state=0).fit(X)
    assert tuned.score(X) > greedy.score(X)


def test_score_is_negative_mean_squared_reconstruction_error(digits):
    X, _ = digits
    sae = StackedAutoencoderTransformer(**FAST).fit(X)
    R = sae.inverse_transform(sae.transform(X))
    assert sae.score(X) == pytest.approx(-np.mean((X - R) ** 2))
    assert sae.score(X) == sae.score(X)


def test_decoder_auto_follows_the_data_range(digits):
    X, _ = digits
    params = dict(hidden_layer_sizes=(4,), pretrain_iter=1, max_iter=0)
    assert StackedAutoencoderTransformer(**params).fit(X).decoders_ == ["sigmoid"]
    assert StackedAutoencoderTransformer(**params).fit(X * 3 - 1).decoders_ == [
        "identity"
    ]


def test_sigmoid_decoder_rejects_values_outside_unit_interval(digits):
    X, _ = digits
    with pytest.raises(ValueError, match="MinMaxScaler"):
        StackedAutoencoderTransformer(decoder="sigmoid").fit(X * 16)


def test_same_seed_gives_bit_identical_output(digits):
    X, _ = digits
    a = StackedAutoencoderTransformer(**FAST).fit_transform(X)
    b = StackedAutoencoderTransformer(**FAST).fit_transform(X)
    np.testing.assert_array_equal(a, b)
    c = StackedAutoencoderTransformer(**{**FAST, "random_state": 1}).fit_transform(X)
    assert not np.array_equal(a, c)


def test_joblib_and_pickle_round_trip(digits, tmp_path):
    X, _ = digits
    sae = StackedAutoencoderTransformer(**{**FAST, "tied_weights": False}).fit(X)
    joblib.dump(sae, tmp_path / "sae.joblib")
    loaded = joblib.load(tmp_path / "sae.joblib")
    np.testing.assert_array_equal(loaded.transform(X), sae.transform(X))
    restored = pickle.loads(pickle.dumps(sae))
    np.testing.assert_array_equal(
        restored.inverse_transform(sae.transform(X)),
        sae.inverse_transform(sae.transform(X)),
    )


def test_clone_keeps_every_parameter():
    sae = StackedAutoencoderTransformer(
        (7, 3),
        activation="tanh",
        decoder="identity",
        sparsity_target=0.2,
        sparsity_weight=0.3,
        alpha=0.01,
        corruption=0.1,
        tied_weights=False,
        solver="sgd",
        pretrain_iter=4,
        max_iter=5,
        learning_rate_init=0.02,
        momentum=0.5,
        batch_size=17,
        random_state=3,
        verbose=1,
    )
    assert clone(sae).get_params() == sae.get_params()


def test_float32_stays_float32(digits):
    X, _ = digits
    X32 = X.astype(np.float32)
    sae = StackedAutoencoderTransformer(**FAST).fit(X32)
    assert all(W.dtype == np.float32 for W in sae.coefs_ + sae.decoder_coefs_)
    assert sae.transform(X32).dtype == np.float32
    assert sae.inverse_transform(sae.transform(X32)).dtype == np.float32


def test_csr_input_gives_the_same_model_as_dense(digits):
    X, _ = digits
    dense = StackedAutoencoderTransformer(**FAST).fit(X)
    sparse = StackedAutoencoderTransformer(**FAST).fit(sp.csr_matrix(X))
    np.testing.assert_allclose(
        sparse.transform(sp.csr_matrix(X)), dense.transform(X), rtol=1e-6, atol=1e-8
    )


def test_pandas_output_has_named_columns(digits):
    pd = pytest.importorskip("pandas")
    X, _ = digits
    frame = pd.DataFrame(X, columns=[f"px{i}" for i in range(64)])
    sae = StackedAutoencoderTransformer(**FAST).set_output(transform="pandas")
    out = sae.fit_transform(frame)
    assert list(out.columns) == [f"stackedautoencodertransformer{i}" for i in range(8)]


def test_pipeline_grid_search_over_depth_and_sparsity(digits):
    X, y = digits
    pipe = Pipeline(
        [
            (
                "sae",
                StackedAutoencoderTransformer(
                    pretrain_iter=2, max_iter=1, random_state=0
                ),
            ),
            ("clf", LogisticRegression(max_iter=200)),
        ]
    )
    grid = GridSearchCV(
        pipe,
        {
            "sae__hidden_layer_sizes": [(16,), (16, 8), (16, 8, 8)],
            "sae__sparsity_target": [0.05, 0.2],
        },
        cv=2,
        n_jobs=2,
    ).fit(X, y)
    assert len(grid.cv_results_["params"]) == 6
    assert grid.best_score_ > 0.5
    assert np.all(np.isfinite(grid.cv_results_["mean_test_score"]))


def test_sae_features_beat_a_random_stack(digits):
    """Pretraining must buy something: features + LR vs untrained weights + LR."""
    X, y = digits
    X_train, X_test, y_train, y_test = X[:300], X[300:], y[:300], y[300:]

    def accuracy(pretrain_iter):
        pipe = Pipeline(
            [
                (
                    "sae",
                    StackedAutoencoderTransformer(
                        (16,), pretrain_iter=pretrain_iter, max_iter=0, random_state=0
                    ),
                ),
                ("clf", LogisticRegression(max_iter=1000)),
            ]
        )
        return pipe.fit(X_train, y_train).score(X_test, y_test)

    assert accuracy(30) > accuracy(0) + 0.05


@pytest.mark.parametrize(
    "X, message",
    [
        (np.array([[0.1, np.nan], [0.2, 0.3]]), "NaN"),
        (np.array([[0.1, np.inf], [0.2, 0.3]]), "infinity"),
        (np.array([0.1, 0.2, 0.3]), "2D array"),
        (np.empty((0, 3)), "0 sample"),
    ],
)
def test_bad_input_raises_clear_error_and_changes_nothing(digits, X, message):
    fitted = StackedAutoencoderTransformer(**FAST).fit(digits[0])
    before = fitted.transform(digits[0][:5])
    with pytest.raises(ValueError, match=message):
        fitted.fit(X)
    np.testing.assert_array_equal(fitted.transform(digits[0][:5]), before)


def test_wrong_feature_count_after_fit(digits):
    sae = StackedAutoencoderTransformer(**FAST).fit(digits[0])
    with pytest.raises(ValueError, match="64 features"):
        sae.transform(digits[0][:, :10])
    with pytest.raises(ValueError, match="8 features"):
        sae.inverse_transform(np.zeros((2, 5)))


@pytest.mark.parametrize("sizes", [(0,), (16, 0), (), (4.5,)])
def test_hidden_layer_sizes_must_be_positive_integers(digits, sizes):
    with pytest.raises(ValueError, match="positive integers"):
        StackedAutoencoderTransformer(hidden_layer_sizes=sizes).fit(digits[0])


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh"])
def test_diverging_run_raises_and_fits_nothing(digits, activation):
    X, _ = digits
    sae = StackedAutoencoderTransformer(
        (16, 8),
        activation=activation,
        solver="sgd",
        learning_rate_init=1e8,
        pretrain_iter=5,
        max_iter=5,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(ValueError, match="diverged.*learning rate is too large"):
            sae.fit_transform(X * 40 - 20)
    assert not hasattr(sae, "coefs_")


def test_verbose_2_prints_one_line_per_layer_and_epoch(digits):
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        StackedAutoencoderTransformer(**{**FAST, "verbose": 2}).fit(digits[0])
    lines = [ln for ln in buffer.getvalue().strip().splitlines() if " epoch " in ln]
    assert len(lines) == 3 + 3 + 2
    assert lines[0].startswith("pretraining layer 1/2 epoch 1/3: loss ")
    assert lines[-1].startswith("fine-tuning epoch 2/2: loss ")


def test_verbose_1_prints_one_line_per_phase(digits):
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        StackedAutoencoderTransformer(**{**FAST, "verbose": 1}).fit(digits[0])
    lines = buffer.getvalue().strip().splitlines()
    assert [ln.split(":")[0] for ln in lines] == [
        "StackedAutoencoderTransformer",
        "pretraining layer 1/2",
        "pretraining layer 2/2",
        "fine-tuning",
    ]
    assert lines[-1].endswith("stopped: ran all 2 epochs")


def test_transform_is_chunked_consistently(digits, monkeypatch):
    X, _ = digits
    sae = StackedAutoencoderTransformer(**FAST).fit(X)
    whole = sae.transform(X)
    monkeypatch.setattr("skdeep._core.arrays.CHUNK_SIZE", 7)
    # a 1-row chunk goes through a matrix-vector product: equal up to rounding
    np.testing.assert_allclose(sae.transform(X), whole, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("real_valued", [False, True])
def test_auto_sparsity_target_keeps_narrow_layers_alive(real_valued):
    sae = StackedAutoencoderTransformer()
    wide, narrow = (
        sae._sparsity_target(500, real_valued),
        sae._sparsity_target(100, real_valued),
    )
    assert wide == narrow == 0.05
    assert sae._sparsity_target(40, real_valued) == pytest.approx(5 / 40)
    assert sae._sparsity_target(16, real_valued) == 0.25  # capped
    explicit = StackedAutoencoderTransformer(sparsity_target=0.3)
    assert explicit._sparsity_target(16, real_valued) == 0.3


def test_regressor_drops_the_sparsity_penalty_on_real_valued_inputs(digits):
    """The regressor's "auto" target is None (no penalty) on real-valued
    inputs, as auto_params_ reports and as pretraining uses it, and the
    images' rule on inputs in [0, 1]; the classifier keeps the images' rule
    on both."""
    X, y = digits
    settings = dict(FAST, hidden_layer_sizes=(200,))
    for cls, dense in [
        (StackedAutoencoderRegressor, True),
        (StackedAutoencoderClassifier, False),
    ]:
        for inputs, real_valued in [(X, False), (X * 3 - 1, True)]:
            model = cls(**settings).fit(inputs, y)
            expected = None if dense and real_valued else 0.05
            assert model.auto_params_["sparsity_target"] == [expected]
            assert model.decoders_[0] == ("identity" if real_valued else "sigmoid")
    fits = [
        StackedAutoencoderRegressor(**settings, **extra).fit(X * 3 - 1, y)
        for extra in ({}, {"sparsity_weight": 0.0}, {"sparsity_target": 0.05})
    ]
    assert np.array_equal(fits[0].coefs_[0], fits[1].coefs_[0])
    assert not np.array_equal(fits[0].coefs_[0], fits[2].coefs_[0])


def test_no_sparsity_target_is_no_penalty(digits):
    X, _ = digits
    off = StackedAutoencoderTransformer(**FAST, sparsity_target=None).fit(X)
    unweighted = StackedAutoencoderTransformer(**FAST, sparsity_weight=0.0).fit(X)
    np.testing.assert_array_equal(off.transform(X), unweighted.transform(X))
