import warnings

import joblib
import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from skdeep import DBNClassifier, DBNTransformer
from skdeep._core.rbm import free_energy
from skdeep._dbn.base import DBN_PARAMETER_CONSTRAINTS

FAST = dict(hidden_layer_sizes=(24, 12), pretrain_iter=3, random_state=0)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:400] / 16, y[:400]


def test_transformer_shapes_attributes_and_curves(digits):
    X, _ = digits
    dbn = DBNTransformer(**FAST).fit(X)
    assert dbn.transform(X).shape == (400, 12)
    assert [W.shape for W in dbn.coefs_] == [(64, 24), (24, 12)]
    assert [b.shape for b in dbn.visible_intercepts_] == [(64,), (24,)]
    assert dbn.visible_units_ == "bernoulli" and dbn.mean_ is None
    assert [len(c) for c in dbn.pretrain_loss_curves_] == [3, 3]
    assert [len(c) for c in dbn.pseudo_likelihood_curves_] == [3, 3]
    assert dbn.n_iter_ == 6
    codes = dbn.transform(X)
    assert np.all((codes >= 0) & (codes <= 1))
    assert dbn.inverse_transform(codes).shape == X.shape


def test_pretraining_improves_reconstruction_and_pseudo_likelihood(digits):
    X, _ = digits
    dbn = DBNTransformer((32,), pretrain_iter=15, random_state=0).fit(X)
    assert dbn.pretrain_loss_curves_[0][-1] < 0.7 * dbn.pretrain_loss_curves_[0][0]
    pll = dbn.pseudo_likelihood_curves_[0]
    assert pll[-1] > pll[0]


def test_gaussian_visibles_standardize_unscaled_input(digits):
    X, _ = digits
    X_unscaled = X * 1000 + 50  # far outside [0, 1], large variance
    dbn = DBNTransformer((16,), pretrain_iter=5, random_state=0).fit(X_unscaled)
    assert dbn.visible_units_ == "gaussian"
    np.testing.assert_allclose(dbn.mean_, X_unscaled.mean(axis=0), rtol=1e-10)
    reconstruction = dbn.inverse_transform(dbn.transform(X_unscaled))
    assert np.all(np.isfinite(reconstruction))
    # the down-pass undoes the standardization: errors in the original units
    error = np.mean((reconstruction - X_unscaled) ** 2)
    assert error < np.mean((X_unscaled - X_unscaled.mean(axis=0)) ** 2)


@pytest.mark.parametrize("n_hidden, rate", [(16, 0.02), (256, 0.02), (512, 0.01)])
def test_auto_gaussian_rate_shrinks_above_256_hidden_units(digits, n_hidden, rate):
    """pretrain_learning_rate="auto" on real values is 0.02 up to 256 hidden
    units, 0.02 * 256 / n_hidden above."""
    X, _ = digits
    X_real = X * 16 - 3  # outside [0, 1]: Gaussian visibles
    params = dict(hidden_layer_sizes=(n_hidden,), pretrain_iter=3, random_state=0)
    auto = DBNTransformer(**params).fit(X_real)
    explicit = DBNTransformer(**params, pretrain_learning_rate=rate, pretrain_tol=0)
    np.testing.assert_array_equal(auto.coefs_[0], explicit.fit(X_real).coefs_[0])


def test_bernoulli_rejects_values_outside_unit_interval(digits):
    X, y = digits
    for estimator in (
        DBNTransformer(visible_units="bernoulli"),
        DBNClassifier(visible_units="bernoulli"),
    ):
        with pytest.raises(ValueError, match="MinMaxScaler.*gaussian"):
            estimator.fit(X * 16, y)


def test_score_samples_is_negative_free_energy(digits):
    X, _ = digits
    dbn = DBNTransformer(**FAST).fit(X)
    expected = -free_energy(
        X, dbn.coefs_[0], dbn.intercepts_[0], dbn.visible_intercepts_[0], "bernoulli"
    )
    np.testing.assert_allclose(dbn.score_samples(X), expected)
    # typical rows score higher than noise
    noise = np.random.default_rng(0).random((50, 64))
    assert dbn.score_samples(X).mean() > dbn.score_samples(noise).mean()


@pytest.mark.parametrize("X_scale", [1.0, 16.0])
def test_sample_is_reproducible_and_in_visible_range(digits, X_scale):
    X, _ = digits
    dbn = DBNTransformer(**FAST).fit(X * X_scale)
    a = dbn.sample(5, n_gibbs_steps=20, random_state=3)
    b = dbn.sample(5, n_gibbs_steps=20, random_state=3)
    np.testing.assert_array_equal(a, b)
    assert a.shape == (5, 64) and np.all(np.isfinite(a))
    if X_scale == 1.0:
        assert np.all((a >= 0) & (a <= 1))
    with pytest.raises(ValueError, match="positive integer"):
        dbn.sample(0)


def test_persistent_cd_and_k_steps_train(digits):
    X, _ = digits
    dbn = DBNTransformer(
        (32,),
        persistent=True,
        n_gibbs_steps=2,
        pretrain_learning_rate=0.01,
        pretrain_iter=10,
        random_state=0,
    ).fit(X)
    assert dbn.pseudo_likelihood_curves_[0][-1] > dbn.pseudo_likelihood_curves_[0][0]


def test_classifier_learns_digits_and_predict_proba_is_consistent(digits):
    X, y = digits
    clf = DBNClassifier(
        (32,), pretrain_iter=5, max_iter=100, learning_rate_init=0.01, random_state=0
    ).fit(X[:300], y[:300])
    assert clf.score(X[300:], y[300:]) > 0.85
    proba = clf.predict_proba(X[300:])
    np.testing.assert_allclose(proba.sum(axis=1), 1)
    np.testing.assert_allclose(np.log(proba), clf.predict_log_proba(X[300:]))
    np.testing.assert_array_equal(
        clf.classes_[proba.argmax(axis=1)], clf.predict(X[300:])
    )
    assert len(clf.loss_curve_) == clf.n_iter_ and clf.validation_scores_ is None


@pytest.mark.parametrize("units", ["bernoulli", "relu"])
def test_frozen_fine_tuning_keeps_the_pretrained_stack(digits, units):
    X, y = digits
    params = dict(pretrain_iter=3, random_state=0, hidden_units=units)
    pretrained = DBNTransformer((16,), **params).fit(X)
    clf = DBNClassifier((16,), **params, fine_tuning="none", max_iter=20).fit(X, y)
    np.testing.assert_array_equal(clf.coefs_[0], pretrained.coefs_[0])
    tuned = DBNClassifier((16,), **params, max_iter=20).fit(X, y)
    assert not np.array_equal(tuned.coefs_[0], pretrained.coefs_[0])


def test_pretraining_helps_frozen_features(digits):
    X, y = digits

    def accuracy(pretrain_iter):
        clf = DBNClassifier(
            (16,),
            pretrain_iter=pretrain_iter,
            fine_tuning="none",
            max_iter=200,
            learning_rate_init=0.01,
            random_state=0,
        )
        return clf.fit(X[:300], y[:300]).score(X[300:], y[300:])

    assert accuracy(20) > accuracy(0) + 0.1  # measured: 0.91 vs 0.71


def test_early_stopping_restores_best_validation_weights(digits):
    X, y = digits
    clf = DBNClassifier(
        (16,),
        pretrain_iter=2,
        max_iter=60,
        early_stopping=True,
        n_iter_no_change=5,
        learning_rate_init=0.01,
        random_state=0,
    ).fit(X, y)
    assert clf.n_iter_ == len(clf.validation_scores_) < 60
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    assert clf.best_loss_ is None


def test_string_labels_and_unlabeled_marker(digits):
    X, y = digits
    names = np.array(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
        ],
        dtype=object,
    )
    y_str = names[y].copy()
    y_str[::2] = "?"
    clf = DBNClassifier(
        (16,), pretrain_iter=2, max_iter=20, unlabeled_label="?", random_state=0
    ).fit(X, y_str)
    assert "?" not in clf.classes_ and len(clf.classes_) == 10
    assert set(clf.predict(X)) <= set(names)


def test_semi_supervised_pretraining_uses_unlabeled_rows(digits):
    X, y = digits
    y_semi = np.where(np.arange(len(y)) % 4 == 0, y, -1)
    semi = DBNClassifier(
        (16,), pretrain_iter=2, max_iter=5, unlabeled_label=-1, random_state=0
    ).fit(X, y_semi)
    assert -1 not in semi.classes_
    # pretraining saw every row: the same first-layer start as on all of X
    units = semi.hidden_units_
    full = DBNTransformer((16,), pretrain_iter=2, random_state=0, hidden_units=units)
    full = full.fit(X)
    np.testing.assert_array_equal(
        semi.pretrain_loss_curves_[0], full.pretrain_loss_curves_[0]
    )
    # without the marker, -1 is an ordinary class
    plain = DBNClassifier((16,), pretrain_iter=1, max_iter=2, random_state=0)
    assert -1 in plain.fit(X, y_semi).classes_


@pytest.mark.parametrize("fine_tuning", ["backprop", "none"])
@pytest.mark.parametrize("source", ["network", "propagation"])
def test_pseudo_labels_train_on_unlabeled_rows_and_sharpen_them(
    digits, fine_tuning, source
):
    X, y = digits
    y_semi = np.where(np.arange(len(y)) % 5 == 0, y, -1)
    unlabeled = y_semi == -1
    params = dict(
        hidden_layer_sizes=(32,),
        pretrain_iter=5,
        max_iter=15,
        learning_rate_init=0.01,
        unlabeled_label=-1,
        fine_tuning=fine_tuning,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        plain = DBNClassifier(**params, pseudo_labels="none").fit(X, y_semi)
        pseudo = DBNClassifier(**params, pseudo_labels=source).fit(X, y_semi)
    # a second phase over every row follows the labeled-rows phase
    assert pseudo.n_iter_ > plain.n_iter_
    assert len(pseudo.loss_curve_) == pseudo.n_iter_
    np.testing.assert_array_equal(
        pseudo.loss_curve_[: plain.n_iter_], plain.loss_curve_
    )

    # training on its own most probable classes makes the model more
    # confident on the unlabeled rows (entropy minimisation, Lee 2013)
    def mean_entropy(clf):
        P = clf.predict_proba(X[unlabeled])
        return -np.mean(np.sum(P * np.log(P + 1e-12), axis=1))

    assert mean_entropy(pseudo) < 0.9 * mean_entropy(plain)


def test_pseudo_labels_without_unlabeled_rows_change_nothing(digits):
    X, y = digits
    params = dict(hidden_layer_sizes=(16,), pretrain_iter=2, max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        plain = DBNClassifier(**params, pseudo_labels="none").fit(X, y)
        pseudo = DBNClassifier(**params, pseudo_labels="propagation").fit(X, y)
    np.testing.assert_array_equal(plain.predict_proba(X), pseudo.predict_proba(X))


def test_all_unlabeled_single_class_and_wrong_length_are_clear_errors(digits):
    X, y = digits
    with pytest.raises(ValueError, match="unlabeled"):
        DBNClassifier(unlabeled_label=-1).fit(X, np.full(len(y), -1))
    with pytest.raises(ValueError, match="2 classes"):
        DBNClassifier().fit(X, np.zeros(len(y)))
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        DBNClassifier().fit(X, y[:-1])
    with pytest.raises(ValueError, match="NaN"):
        DBNClassifier().fit(np.where(X == 0, np.nan, X), y)


@pytest.mark.parametrize("estimator", [DBNTransformer, DBNClassifier])
def test_huge_learning_rates_raise_and_fit_nothing(digits, estimator):
    X, y = digits
    kwargs = dict(
        hidden_layer_sizes=(16, 8),
        pretrain_learning_rate=1e6,
        pretrain_iter=5,
        random_state=0,
    )
    if estimator is DBNClassifier:
        kwargs.update(learning_rate_init=1e6, max_iter=5)
    model = estimator(**kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(ValueError, match="layer 1/2: training diverged"):
            model.fit(X * 50 - 10, y)
    assert not hasattr(model, "coefs_")


def test_same_seed_bit_identical_and_joblib_round_trip(digits, tmp_path):
    X, y = digits
    a = DBNClassifier((16,), pretrain_iter=2, max_iter=5, random_state=0).fit(X, y)
    b = DBNClassifier((16,), pretrain_iter=2, max_iter=5, random_state=0).fit(X, y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    joblib.dump(a, tmp_path / "dbn.joblib")
    np.testing.assert_array_equal(
        joblib.load(tmp_path / "dbn.joblib").predict_proba(X), a.predict_proba(X)
    )
    t = DBNTransformer(**FAST)
    np.testing.assert_array_equal(clone(t).fit_transform(X), t.fit_transform(X))


def test_float32_end_to_end(digits):
    X, y = digits
    X32 = X.astype(np.float32)
    clf = DBNClassifier(
        (16,), pretrain_iter=2, max_iter=5, dropout=0.1, random_state=0
    ).fit(X32, y)
    assert all(W.dtype == np.float32 for W in clf.coefs_)
    assert clf.output_coef_.dtype == np.float32
    assert clf.predict_proba(X32).dtype == np.float32
    dbn = DBNTransformer(**FAST).fit(X32 * 16)  # Gaussian path too
    assert dbn.mean_.dtype == np.float32 and dbn.transform(X32 * 16).dtype == np.float32
    assert dbn.sample(2, n_gibbs_steps=5, random_state=0).dtype == np.float32


def test_csr_input_matches_dense(digits):
    X, y = digits
    dense = DBNClassifier((16,), pretrain_iter=2, max_iter=3, random_state=0).fit(X, y)
    sparse = DBNClassifier((16,), pretrain_iter=2, max_iter=3, random_state=0)
    sparse.fit(sp.csr_matrix(X), y)
    np.testing.assert_allclose(
        sparse.predict_proba(sp.csr_matrix(X)),
        dense.predict_proba(X),
        rtol=1e-6,
        atol=1e-9,
    )


def test_clone_keeps_every_parameter():
    clf = DBNClassifier(
        (7, 3),
        visible_units="gaussian",
        n_gibbs_steps=3,
        persistent=True,
        pretrain_learning_rate=0.01,
        pretrain_iter=4,
        momentum=0.5,
        alpha=0.01,
        sparsity_target=0.2,
        sparsity_weight=0.3,
        batch_size=17,
        random_state=3,
        verbose=1,
        fine_tuning="none",
        learning_rate_init=0.02,
        max_iter=5,
        dropout=0.1,
        early_stopping=True,
        validation_fraction=0.2,
        n_iter_no_change=3,
        tol=0.01,
        unlabeled_label="?",
    )
    assert clone(clf).get_params() == clf.get_params()


def test_shared_parameters_are_defined_once():
    shared = set(DBN_PARAMETER_CONSTRAINTS)
    assert shared <= set(DBNTransformer().get_params())
    assert shared <= set(DBNClassifier().get_params())
    for name in shared:
        assert (
            DBNTransformer._parameter_constraints[name]
            == DBNClassifier._parameter_constraints[name]
        )
        assert DBNTransformer().get_params()[name] == DBNClassifier().get_params()[name]


@pytest.mark.parametrize("estimator", [DBNTransformer, DBNClassifier])
def test_grid_search_over_depth_and_sparsity(digits, estimator):
    X, y = digits
    base = estimator(pretrain_iter=2, random_state=0)
    if estimator is DBNClassifier:
        base.set_params(max_iter=10, learning_rate_init=0.01)
        model, prefix = base, ""
    else:
        model = Pipeline([("dbn", base), ("clf", LogisticRegression(max_iter=300))])
        prefix = "dbn__"
    grid = GridSearchCV(
        model,
        {
            f"{prefix}hidden_layer_sizes": [(16,), (16, 8)],
            f"{prefix}sparsity_target": [0.05, 0.2],
            f"{prefix}sparsity_weight": [0.1],
        },
        cv=2,
        n_jobs=2,
    ).fit(X, y)
    assert np.all(np.isfinite(grid.cv_results_["mean_test_score"]))
    assert grid.best_score_ > 0.5


def test_verbose_prints_reconstruction_and_pseudo_likelihood(digits, capsys):
    X, y = digits
    DBNClassifier((8,), pretrain_iter=2, max_iter=2, verbose=2, random_state=0).fit(
        X, y
    )
    auto, *lines = capsys.readouterr().out.strip().splitlines()
    assert auto.startswith("DBNClassifier: auto settings: visible_units='bernoulli'")
    assert lines[0].startswith("pretraining layer 1/1 epoch 1/2: reconstruction error ")
    assert "pseudo-log-likelihood" in lines[0]
    assert lines[-2].startswith("fine-tuning epoch 2/2: loss ")


def test_verbose_1_says_once_per_phase_why_it_stopped(digits, capsys):
    X, y = digits
    params = dict(pretrain_iter=50, pretrain_tol=0.5, max_iter=3, tol=0.0)
    DBNClassifier((8, 8), **params, verbose=1, random_state=0).fit(X, y)
    auto, *lines = capsys.readouterr().out.strip().splitlines()
    assert auto.startswith("DBNClassifier: auto settings: ")
    assert len(lines) == 3
    assert lines[0].startswith("pretraining layer 1/2: ")
    assert "of at most 50 epochs" in lines[0]
    assert lines[0].endswith("stopped: loss plateaued (tol 0.5)")
    assert lines[1].startswith("pretraining layer 2/2: ")
    assert lines[2].startswith("fine-tuning: 3 of at most 3 epochs, loss ")
    assert lines[2].endswith("stopped: reached max_iter=3")


def test_wake_sleep_unties_weights_and_lowers_held_out_reconstruction(digits):
    X, _ = digits
    train, test = X[:300], X[300:]
    params = dict(hidden_layer_sizes=(64, 16), pretrain_iter=10, random_state=0)
    greedy = DBNTransformer(**params).fit(train)
    tuned = DBNTransformer(**params, max_iter=30, learning_rate_init=0.03).fit(train)
    # pretraining is identical, then the lower layer is untied
    np.testing.assert_array_equal(
        greedy.pretrain_loss_curves_[0], tuned.pretrain_loss_curves_[0]
    )
    assert not np.allclose(tuned.generative_coefs_[0], tuned.coefs_[0].T)
    np.testing.assert_array_equal(greedy.generative_coefs_[0], greedy.coefs_[0].T)
    assert len(tuned.loss_curve_) == 30 and tuned.n_iter_ == 50

    def error(model):
        return np.mean((model.inverse_transform(model.transform(test)) - test) ** 2)

    assert error(tuned) < error(greedy)
    sample = tuned.sample(4, n_gibbs_steps=20, random_state=0)
    assert np.all((sample >= 0) & (sample <= 1))


def test_up_down_predict_proba_is_softmax_over_label_free_energies(digits):
    X, y = digits
    clf = DBNClassifier(
        (24, 12),
        fine_tuning="up-down",
        pretrain_iter=3,
        max_iter=3,
        learning_rate_init=0.01,
        random_state=0,
    ).fit(X, y)
    codes = X[:20]
    for W, b in zip(clf.coefs_[:-1], clf.intercepts_[:-1], strict=True):
        codes = 1 / (1 + np.exp(-(codes @ W + b)))
    W_joint = np.vstack([clf.coefs_[-1], clf.label_coef_])
    b_joint = np.concatenate([clf.visible_intercepts_[-1], clf.label_intercept_])
    energies = np.column_stack(
        [
            free_energy(
                np.hstack([codes, np.tile(np.eye(10)[k], (20, 1))]),
                W_joint,
                clf.intercepts_[-1],
                b_joint,
                "bernoulli",
                n_labels=10,
            )
            for k in range(10)
        ]
    )
    expected = np.exp(-energies) / np.exp(-energies).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(clf.predict_proba(X[:20]), expected, rtol=1e-6)
    assert clf.output_coef_ is None and clf.label_coef_.shape == (10, 12)


def test_auto_pretrain_tol_stops_no_layer_early_for_up_down(digits):
    """pretrain_tol="auto": the plateau rule (0.05) for backprop, none for
    the generative up-down, whose layers run every pretrain_iter epoch."""
    X, y = digits
    params = dict(hidden_layer_sizes=(16, 8), pretrain_iter=60, max_iter=1)
    backprop = DBNClassifier(**params, random_state=0).fit(X, y)
    up_down = DBNClassifier(**params, fine_tuning="up-down", random_state=0)
    assert all(n < 60 for n in backprop.pretrain_n_iter_)
    assert up_down.fit(X, y).pretrain_n_iter_ == [60, 60]
    explicit = DBNClassifier(**params, pretrain_tol=0.05, random_state=0)
    assert explicit.fit(X, y).pretrain_n_iter_ == backprop.pretrain_n_iter_
    stopped = up_down.set_params(pretrain_tol=0.05).fit(X, y).pretrain_n_iter_
    assert all(n < 60 for n in stopped)


def test_auto_pretrain_tol_is_stricter_when_rows_are_unlabeled(digits):
    """pretrain_tol="auto" is 0.01 while some rows are unlabeled
    (unlabeled_label), 0.05 when every row is labeled; layers then pretrain
    longer on the same rows."""
    X, y = digits
    params = dict(hidden_layer_sizes=(32, 16), pretrain_iter=200, max_iter=1)
    y_semi = np.where(np.arange(len(y)) % 10 == 0, y, -1)
    auto = DBNClassifier(**params, unlabeled_label=-1, random_state=0)
    semi = auto.fit(X, y_semi).pretrain_n_iter_
    labeled = auto.fit(X, y).pretrain_n_iter_
    explicit = clone(auto).set_params(pretrain_tol=0.01)
    assert explicit.fit(X, y_semi).pretrain_n_iter_ == semi
    assert (
        explicit.set_params(pretrain_tol=0.05).fit(X, y_semi).pretrain_n_iter_
        == labeled
    )
    assert all(200 > s >= n for s, n in zip(semi, labeled, strict=True))
    assert sum(semi) > sum(labeled)


def test_auto_pretrain_tol_ignores_unlabeled_rows_of_weight_zero(digits, monkeypatch):
    """Rows of weight zero take no part in training, so unlabeled ones among
    them leave the tolerance of a fully labeled fit."""
    X, y = digits
    seen = []
    pretrain_stack = DBNClassifier._pretrain_stack

    def spy(self, *args, semi_supervised=False, **kwargs):
        seen.append(self._pretrain_tol(semi_supervised))
        return pretrain_stack(self, *args, semi_supervised=semi_supervised, **kwargs)

    monkeypatch.setattr(DBNClassifier, "_pretrain_stack", spy)
    y_semi = np.where(np.arange(len(y)) % 10 == 0, y, -1)
    weights = (y_semi != -1).astype(float)
    model = DBNClassifier((8,), pretrain_iter=2, max_iter=1, unlabeled_label=-1)
    model.fit(X, y_semi, sample_weight=weights)
    weights[1] = 0.5  # one unlabeled row with weight
    model.fit(X, y_semi, sample_weight=weights)
    model.fit(X, y_semi)
    assert seen == [0.05, 0.01, 0.01]


def test_auto_batch_keeps_50_minibatches_per_epoch_for_up_down():
    """batch_size="auto": n // 20 within [64, 512] for backprop, n // 50 for
    the generative up-down (64 rows on the 1797 digits, not 89)."""
    X, y = load_digits(return_X_y=True)
    X = X / 16
    params = dict(hidden_layer_sizes=(16, 8), pretrain_iter=2, max_iter=2)

    def up_down(batch_size):
        model = DBNClassifier(
            **params, fine_tuning="up-down", batch_size=batch_size, random_state=0
        )
        return model.fit(X, y).coefs_

    auto = up_down("auto")
    for a, b in zip(auto, up_down(64), strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(auto[0], up_down(89)[0])
    backprop = DBNClassifier(**params, random_state=0).fit(X, y).coefs_
    explicit = DBNClassifier(**params, batch_size=89, random_state=0).fit(X, y)
    np.testing.assert_array_equal(backprop[0], explicit.coefs_[0])


def test_weight_averaging_keeps_the_moving_average_of_epoch_weights(digits):
    """weight_averaging=0.5 over 2 epochs hands back the mean of the weights
    after epochs 1 and 2 (the same random stream gives both)."""
    X, y = digits
    params = dict(hidden_layer_sizes=(16,), pretrain_iter=2, random_state=0)

    def fitted(epochs, averaging):
        model = DBNClassifier(**params, max_iter=epochs, weight_averaging=averaging)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return model.fit(X, y)

    one, two = fitted(1, 0.0), fitted(2, 0.0)
    averaged = fitted(2, 0.5)
    for a, b, mean in zip(one.coefs_, two.coefs_, averaged.coefs_, strict=True):
        np.testing.assert_allclose(mean, (a + b) / 2, rtol=1e-12, atol=1e-15)
    assert not np.allclose(averaged.output_coef_, two.output_coef_)
    assert averaged.loss_curve_ == two.loss_curve_


def test_up_down_learns_and_samples_each_requested_class(digits):
    X, y = digits
    clf = DBNClassifier(
        (64,), fine_tuning="up-down", pretrain_iter=30, max_iter=5, random_state=0
    ).fit(X[:300], y[:300])
    assert clf.score(X[300:], y[300:]) > 0.8
    a = clf.sample([3, 3, 7], n_gibbs_steps=50, random_state=1)
    np.testing.assert_array_equal(
        a, clf.sample([3, 3, 7], n_gibbs_steps=50, random_state=1)
    )
    assert a.shape == (3, 64) and np.all((a >= 0) & (a <= 1))
    # a generated "3" is closer to the mean 3 than to the mean 7
    means = {k: X[y == k].mean(axis=0) for k in (3, 7)}
    generated = clf.sample([3] * 10 + [7] * 10, n_gibbs_steps=200, random_state=2)
    assert (
        np.mean(
            [
                np.sum((g - means[3]) ** 2) < np.sum((g - means[7]) ** 2)
                for g in generated[:10]
            ]
        )
        >= 0.7
    )
    with pytest.raises(ValueError, match="classes_"):
        clf.sample([11])
    plain = DBNClassifier((8,), pretrain_iter=1, max_iter=1, random_state=0)
    with pytest.raises(ValueError, match="up-down"):
        plain.fit(X, y).sample([1])


def test_up_down_semi_supervised_and_gaussian_visibles(digits):
    X, y = digits
    y_semi = np.where(np.arange(len(y)) % 3 == 0, y, -1)
    clf = DBNClassifier(
        (16, 8),
        fine_tuning="up-down",
        pretrain_iter=3,
        max_iter=2,
        unlabeled_label=-1,
        random_state=0,
    ).fit(X * 16, y_semi)
    assert clf.visible_units_ == "gaussian" and -1 not in clf.classes_
    proba = clf.predict_proba(X * 16)
    assert np.all(np.isfinite(proba))
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-6)
    assert np.all(np.isfinite(clf.sample([0, 5], n_gibbs_steps=5, random_state=0)))


def test_auto_batch_size_grows_with_the_data():
    """batch_size="auto": 64 rows on small data, n_samples // 20 in between,
    512 on large data; an int is kept."""
    dbn = DBNTransformer()
    sizes = [dbn._batch_size(n) for n in (1000, 1437, 3500, 20000)]
    assert sizes == [64, 71, 175, 512]
    assert DBNTransformer(batch_size=32)._batch_size(60000) == 32


def test_pseudo_label_epochs_are_a_fixed_budget_not_a_convergence_failure(digits):
    X, y = digits
    y_semi = np.where(np.arange(len(y)) % 5 == 0, y, -1)
    # Bernoulli units with dropout: the labeled rows' fine-tuning converges
    # well before max_iter (16 units without dropout keep improving)
    clf = DBNClassifier(
        (16,),
        hidden_units="bernoulli",
        dropout=0.5,
        pretrain_iter=2,
        max_iter=300,
        unlabeled_label=-1,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        clf.fit(X, y_semi)
    assert clf.n_iter_ < 300 + clf.pseudo_label_iter


def test_float32_transform_keeps_small_probabilities_of_float64():
    """The sigmoid's relative precision in its lower tail: the same weights
    in float32 give the float64 probabilities to float32 rounding, however
    small."""
    X, _ = load_digits(return_X_y=True)
    X = X / 16
    dbn = DBNTransformer((32,), pretrain_iter=5, random_state=0).fit(X)
    dbn.coefs_ = [8 * W for W in dbn.coefs_]  # saturated units: tiny p(h = 1)
    H64 = dbn.transform(X)
    dbn.coefs_ = [W.astype(np.float32) for W in dbn.coefs_]
    dbn.intercepts_ = [b.astype(np.float32) for b in dbn.intercepts_]
    H32 = dbn.transform(X.astype(np.float32))
    assert H32.dtype == np.float32 and H64.min() < 1e-8
    np.testing.assert_allclose(H32, H64, rtol=1e-4, atol=0)
