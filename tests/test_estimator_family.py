"""The estimator family: targets, sample weights, warm_start and partial_fit
of the pretrained classifiers and regressors, and the transformers' streaming
and label-free scores."""

import joblib
import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_array_equal
from sklearn.base import clone
from sklearn.datasets import load_diabetes, load_digits
from sklearn.model_selection import GridSearchCV
from sklearn.preprocessing import StandardScaler

from skdeep import (
    DBNClassifier,
    DBNRegressor,
    DBNTransformer,
    StackedAutoencoderClassifier,
    StackedAutoencoderRegressor,
    StackedAutoencoderTransformer,
)

pytestmark = pytest.mark.usefixtures("quiet_convergence")

FAST = dict(hidden_layer_sizes=(16,), pretrain_iter=3, max_iter=30, random_state=0)
CLASSIFIERS = [DBNClassifier, StackedAutoencoderClassifier]
REGRESSORS = [DBNRegressor, StackedAutoencoderRegressor]
SUPERVISED = CLASSIFIERS + REGRESSORS
TRANSFORMERS = [DBNTransformer, StackedAutoencoderTransformer]


def digits(n=600):
    X, y = load_digits(return_X_y=True)
    return (X[:n] / 16).astype(np.float64), y[:n]


def diabetes():
    X, y = load_diabetes(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def multilabel_digits(n=600):
    """Three yes/no attributes of each digit: even, above 4, a loop (0 6 8 9)."""
    X, y = digits(n)
    Y = np.column_stack([y % 2 == 0, y > 4, np.isin(y, [0, 6, 8, 9])]).astype(int)
    return X, Y


def data_for(cls):
    return diabetes() if cls in REGRESSORS else digits()


# ---- virtual adversarial training -------------------------------------------


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_virtual_adversarial_training_learns_from_the_unlabeled_rows(cls):
    """With pseudo-labels off, the VAT term alone brings the unlabeled rows
    into fine-tuning (100 labels of 600 digits): they are classified better
    than by the labeled rows alone, and 0 fits exactly as those."""
    X, y = digits()
    y_semi = np.where(np.arange(len(y)) < 100, y, -1)
    settings = dict(**FAST, unlabeled_label=-1, pseudo_labels="none")
    plain = cls(**settings).fit(X, y_semi)
    smooth = cls(**settings, virtual_adversarial_epsilon=1.0).fit(X, y_semi)
    unlabeled, truth = X[100:], y[100:]
    assert smooth.score(unlabeled, truth) > plain.score(unlabeled, truth) + 0.02
    off = cls(**settings, virtual_adversarial_epsilon=0.0).fit(X, y_semi)
    assert_array_equal(off.predict_proba(X), plain.predict_proba(X))


@pytest.mark.parametrize("pseudo_labels", ["none", "propagation"])
def test_virtual_adversarial_term_weighs_rows_by_sample_weight_only(
    pseudo_labels, monkeypatch
):
    """Every row of the epochs over all rows enters the VAT term at its sample
    weight (none given: equally), whatever its pseudo-label's certainty."""
    from skdeep._heads import step

    seen = []
    real = step.virtual_adversarial_loss_and_gradient

    def spy(params, layers, A, epsilon, rng, **kwargs):
        seen.append((A.shape[0], kwargs["sample_weight"]))
        return real(params, layers, A, epsilon, rng, **kwargs)

    monkeypatch.setattr(step, "virtual_adversarial_loss_and_gradient", spy)
    X, y = digits()
    y_semi = np.where(np.arange(len(y)) < 100, y, -1)
    DBNClassifier(
        **FAST,
        unlabeled_label=-1,
        pseudo_labels=pseudo_labels,
        pseudo_label_iter=2,
        virtual_adversarial_epsilon=1.0,
    ).fit(X, y_semi)
    assert sum(rows for rows, _ in seen) >= 2 * len(X)  # the unlabeled rows too
    assert all(weight is None for _, weight in seen)


# ---- targets ---------------------------------------------------------------


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_multilabel_targets_give_sigmoid_outputs(cls):
    X, Y = multilabel_digits()
    clf = cls(**FAST).fit(X[:500], Y[:500])
    assert clf.output_activation_ == "sigmoid"
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])
    proba = clf.predict_proba(X[500:])
    assert proba.shape == (100, 3) and np.all((proba > 0) & (proba < 1))
    np.testing.assert_array_equal(clf.predict(X[500:]), (proba > 0.5).astype(int))
    np.testing.assert_allclose(np.exp(clf.predict_log_proba(X[500:])), proba)
    # well above the 1/8 of guessing all three labels
    assert clf.score(X[500:], Y[500:]) > 0.5


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_multilabel_semi_supervised_rows_marked_by_whole_rows(cls):
    X, Y = multilabel_digits()
    Y_semi = Y.copy()
    Y_semi[100:500] = -1
    clf = cls(**FAST, unlabeled_label=-1, pseudo_label_iter=5).fit(
        X[:500], Y_semi[:500]
    )
    assert len(clf.loss_curve_) > 5  # labeled epochs, then pseudo-label epochs
    assert clf.predict(X[500:]).shape == (100, 3)


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_string_labels_and_binary_targets(cls):
    X, y = digits()
    names = np.array(["even", "odd"])[y % 2]
    clf = cls(**FAST).fit(X, names)
    assert set(clf.predict(X)) <= {"even", "odd"}
    assert clf.predict_proba(X).shape == (len(X), 2)
    assert clf.score(X, names) > 0.8


@pytest.mark.parametrize("cls", REGRESSORS)
def test_regressors_take_one_or_several_outputs(cls):
    X, y = diabetes()
    reg = cls(**FAST).fit(X, y)
    assert reg.predict(X).shape == (len(X),)
    Y = np.column_stack([y, -2 * y])
    reg2 = cls(**FAST).fit(X, Y)
    assert reg2.predict(X).shape == (len(X), 2)
    assert reg2.score(X, Y) > 0.3


@pytest.mark.parametrize("cls", REGRESSORS)
def test_regression_targets_are_standardized_inside(cls):
    X, y = diabetes()
    small = cls(**FAST).fit(X, y).predict(X)
    large = cls(**FAST).fit(X, 1000 * y + 5).predict(X)
    np.testing.assert_allclose(large, 1000 * small + 5, rtol=1e-6)


@pytest.mark.parametrize("cls", REGRESSORS)
def test_regressor_unlabeled_rows_marked_by_nan(cls):
    X, y = diabetes()
    y_semi = y.astype(float).copy()
    y_semi[::3] = np.nan
    reg = cls(**FAST, unlabeled_label=np.nan).fit(X, y_semi)
    assert np.isfinite(reg.predict(X)).all()
    with pytest.raises(ValueError, match="NaN"):
        cls(**FAST).fit(X, y_semi)


@pytest.mark.parametrize("cls", SUPERVISED)
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_targets_are_refused(cls, bad):
    X, y = data_for(cls)
    y = y.astype(float)
    y[3] = bad
    with pytest.raises(ValueError, match="Input y contains"):
        cls(**FAST).fit(X, y)


@pytest.mark.parametrize("cls", SUPERVISED)
def test_targets_of_the_wrong_length_are_refused(cls):
    X, y = data_for(cls)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        cls(**FAST).fit(X, y[:-1])


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_multiclass_multioutput_targets_are_refused(cls):
    X, y = digits()
    with pytest.raises(ValueError, match="multiclass-multioutput"):
        cls(**FAST).fit(X, np.column_stack([y, y % 3]))


# ---- sample weights --------------------------------------------------------


@pytest.mark.parametrize("cls", SUPERVISED)
def test_negative_sample_weight_is_refused(cls):
    X, y = data_for(cls)
    weights = np.ones(len(X))
    weights[5] = -1
    with pytest.raises(ValueError, match="Negative values in data"):
        cls(**FAST).fit(X, y, sample_weight=weights)


@pytest.mark.parametrize("cls", SUPERVISED)
def test_sample_weight_changes_the_model_and_zero_rows_change_nothing(cls):
    X, y = data_for(cls)
    params = dict(FAST, pretrain_iter=0, dropout=0.0, batch_size=2000)
    base = cls(**params).fit(X, y)
    weights = np.ones(len(X))
    weights[: len(X) // 2] = 3
    weighted = cls(**params).fit(X, y, sample_weight=weights)
    assert not np.allclose(base.predict(X[:50]), weighted.predict(X[:50]))
    # zero-weight rows holding other targets: the same model as without them
    X2 = np.vstack([X, X[:40] + 1])
    y2 = np.concatenate([y, y[:40][::-1]])
    w2 = np.concatenate([np.ones(len(X)), np.zeros(40)])
    zeroed = cls(**params).fit(X2, y2, sample_weight=w2)
    np.testing.assert_allclose(zeroed.predict(X), base.predict(X), rtol=1e-6)


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_labeled_rows_all_of_weight_zero_are_refused(cls):
    X, y = digits()
    y_semi = np.where(np.arange(len(y)) < 100, y, -1)
    weights = np.where(np.arange(len(y)) < 100, 0.0, 1.0)
    with pytest.raises(ValueError, match="labeled rows must contain"):
        cls(**FAST, unlabeled_label=-1).fit(X, y_semi, sample_weight=weights)


def test_up_down_refuses_sample_weight_and_multilabel_and_has_no_partial_fit():
    X, y = digits()
    clf = DBNClassifier(**FAST, fine_tuning="up-down")
    with pytest.raises(ValueError, match="sample_weight"):
        clf.fit(X, y, sample_weight=np.ones(len(X)))
    with pytest.raises(ValueError, match="single-label"):
        clf.fit(*multilabel_digits())
    assert not hasattr(clf, "partial_fit")


@pytest.mark.parametrize("cls", SUPERVISED)
def test_input_dropout_changes_training_not_inference(cls):
    X, y = data_for(cls)
    plain = cls(**FAST).fit(X, y)
    dropped = cls(**FAST, input_dropout=0.2).fit(X, y)
    assert not np.array_equal(plain.coefs_[0], dropped.coefs_[0])
    np.testing.assert_array_equal(dropped.predict(X), dropped.predict(X))


@pytest.mark.parametrize("cls", SUPERVISED)
def test_input_dropout_auto_is_on_from_100_features(cls):
    """input_dropout="auto" on inputs in [0, 1] trains exactly as 0 on 64
    features, as 0.2 on 128."""
    X, y = digits()
    wide = np.hstack([X] * (1 + 100 // X.shape[1]))
    no_move = {"adversarial_epsilon": 0.0}
    for data, same_as in ((X, 0.0), (wide, 0.2)):
        assert_trains_as(cls, data, y, fixed=no_move, input_dropout=same_as)
    plain = cls(**FAST, **no_move, input_dropout=0.0).fit(wide, y)
    auto = cls(**FAST, **no_move).fit(wide, y)
    assert not np.array_equal(auto.coefs_[-1], plain.coefs_[-1])


def assert_trains_as(cls, X, y, fixed=None, **explicit):
    """The defaults' fit of X (but for the ``fixed`` settings) equals the
    fit with the ``explicit`` settings as well."""
    # 96 units: wide enough that dropout="auto" keeps the estimator's rate
    # (see AUTO_DROPOUT_KEPT_UNITS)
    fixed = {"hidden_layer_sizes": (96,), **(fixed or {})}
    params = {**FAST, **fixed}
    auto = cls(**params).fit(X, y)
    same = cls(**params, **explicit).fit(X, y)
    np.testing.assert_array_equal(auto.coefs_[-1], same.coefs_[-1])


# adversarial_epsilon="auto" on images (inputs in [0, 1], 100 features or
# more) and the dropout="auto" that goes with it
AUTO_ADVERSARIAL = {
    DBNClassifier: (0.1, 0.1),
    StackedAutoencoderClassifier: (0.1, 0.2),
    DBNRegressor: (0.0, 0.0),
    StackedAutoencoderRegressor: (0.0, 0.5),
}


@pytest.mark.parametrize("cls", SUPERVISED)
def test_adversarial_training_auto_is_on_for_images_only(cls):
    """adversarial_epsilon="auto" trains exactly as 0 on 64 features in
    [0, 1], on a standardized table of 128 and on sparse input, as the
    documented size (with its dropout) on 128 dense features in [0, 1]; a
    move changes the model."""
    epsilon, dropout = AUTO_ADVERSARIAL[cls]
    X, y = digits()
    wide = np.hstack([X, X[:, ::-1]])
    real = StandardScaler().fit_transform(wide) + 0.01 * np.arange(wide.shape[1])
    assert_trains_as(cls, X, y, adversarial_epsilon=0.0)
    assert_trains_as(cls, real, y, adversarial_epsilon=0.0)
    assert_trains_as(cls, sp.csr_matrix(wide), y, adversarial_epsilon=0.0)
    assert_trains_as(cls, wide, y, adversarial_epsilon=epsilon, dropout=dropout)
    plain = cls(**FAST, adversarial_epsilon=0.0, dropout=dropout).fit(wide, y)
    moved = cls(**FAST, adversarial_epsilon=0.05, dropout=dropout).fit(wide, y)
    assert not np.array_equal(moved.coefs_[0], plain.coefs_[0])
    np.testing.assert_array_equal(moved.predict(wide), moved.predict(wide))


# float32 against float64 fine-tuning of FAST's fits: weights of order 1
TOL32 = 1e-3


@pytest.mark.parametrize("cls", SUPERVISED)
def test_adversarial_fine_tuning_computes_in_float32(cls, monkeypatch):
    """With adversarial moves, fine-tuning on float64 X computes in float32:
    the fit differs from the float64 one by rounding only, and the weights
    and predictions it hands back are float64, as X."""
    X, y = digits()
    wide = np.hstack([X, X[:, ::-1]])
    params = dict(FAST, adversarial_epsilon=0.05, dropout=AUTO_ADVERSARIAL[cls][1])
    fast = cls(**params).fit(wide, y)
    monkeypatch.setattr(cls, "_fine_tunes_in_float32", lambda *args: False)
    exact = cls(**params).fit(wide, y)
    for model in (fast, exact):
        assert all(W.dtype == np.float64 for W in model.coefs_)
        assert model.output_coef_.dtype == np.float64
        output = getattr(model, "predict_proba", model.predict)(wide[:5])
        assert output.dtype == np.float64
    assert not np.array_equal(fast.output_coef_, exact.output_coef_)
    np.testing.assert_allclose(fast.output_coef_, exact.output_coef_, atol=TOL32)
    np.testing.assert_allclose(fast.coefs_[0], exact.coefs_[0], atol=TOL32)


def test_partial_fit_with_adversarial_moves_keeps_the_input_dtype(monkeypatch):
    """partial_fit's optimizer lives on between calls, in X's dtype: its
    adversarial fine-tuning computes in float64 on float64 X."""
    X, y = digits()
    wide, classes = np.hstack([X, X[:, ::-1]]), np.unique(y)
    settings = dict(**FAST, adversarial_epsilon=0.05)
    streamed = DBNClassifier(**settings).partial_fit(wide, y, classes=classes)
    monkeypatch.setattr(DBNClassifier, "_fine_tunes_in_float32", lambda *args: False)
    exact = DBNClassifier(**settings).partial_fit(wide, y, classes=classes)
    np.testing.assert_array_equal(streamed.output_coef_, exact.output_coef_)


# The "auto" fine-tuning settings of each estimator: dropout on inputs in
# [0, 1], on real-valued inputs of 20 features or more and of fewer; input
# dropout on real-valued inputs of 100 features; Adam's rate on real values.
AUTO_FINE_TUNING = {
    DBNClassifier: ((0.5, 0.5, 0.0), 0.2, 3e-3),
    StackedAutoencoderClassifier: ((0.2, 0.5, 0.0), 0.2, 3e-3),
    DBNRegressor: ((0.0, 0.0, 0.0), 0.0, 5e-3),
    StackedAutoencoderRegressor: ((0.5, 0.3, 0.3), 0.0, 5e-3),
}


@pytest.mark.parametrize("cls", SUPERVISED)
def test_auto_fine_tuning_follows_the_kind_of_input(cls):
    """dropout, input_dropout and learning_rate_init "auto" train exactly as
    the documented values for pixels in [0, 1], standardized tables of 64
    and of 10 features, and a standardized table of 128 features."""
    (bounded, wide, narrow), input_dropout, rate = AUTO_FINE_TUNING[cls]
    X, y = digits()
    real = StandardScaler().fit_transform(X) + 0.01 * np.arange(X.shape[1])
    assert_trains_as(cls, X, y, dropout=bounded, learning_rate_init=3e-3)
    assert_trains_as(cls, real, y, dropout=wide, learning_rate_init=rate)
    assert_trains_as(cls, real[:, :10], y, dropout=narrow, learning_rate_init=rate)
    assert_trains_as(
        cls, np.hstack([real, real]), y, dropout=wide, input_dropout=input_dropout
    )


@pytest.mark.parametrize("cls", SUPERVISED + TRANSFORMERS)
def test_pretraining_stops_once_each_layer_plateaus(cls):
    """pretrain_tol ends every layer long before a generous pretrain_iter;
    0 runs them all; pretrain_n_iter_ tells what ran."""
    X, y = data_for(cls)
    params = dict(FAST, hidden_layer_sizes=(16, 8), pretrain_iter=80)
    params.pop("max_iter")
    stopped = cls(**params).fit(X, y)
    assert stopped.pretrain_n_iter_ == [len(c) for c in stopped.pretrain_loss_curves_]
    # "auto" trains a Gaussian RBM (the DBN's on real values) to the end
    gaussian = getattr(stopped, "visible_units_", None) == "gaussian"
    if gaussian:
        assert stopped.pretrain_n_iter_[0] == 80
    assert all(4 <= n < 80 for n in stopped.pretrain_n_iter_[int(gaussian) :])
    assert cls(**params, pretrain_tol=0.0).fit(X, y).pretrain_n_iter_ == [80, 80]
    if gaussian:
        low = cls(**params, pretrain_tol=0.05).fit(X, y).pretrain_n_iter_[0]
        assert 4 <= low < 80


# ---- warm_start and partial_fit -------------------------------------------


@pytest.mark.parametrize("cls", SUPERVISED)
def test_warm_start_goes_on_from_the_fitted_weights(cls):
    X, y = data_for(cls)
    est = cls(**FAST, warm_start=True).fit(X, y)
    first_curve, weights = list(est.loss_curve_), est.coefs_[0].copy()
    est.fit(X, y)
    assert est.loss_curve_[: len(first_curve)] == first_curve
    # as in MLPClassifier: n_iter_ counts this fit's epochs, the curve goes on
    assert est.n_iter_ == len(est.loss_curve_) - len(first_curve) > 0
    # the second fit started from the first one's weights: no pretraining
    assert np.abs(est.coefs_[0] - weights).max() < np.abs(weights).max()
    assert est.loss_curve_[len(first_curve)] < first_curve[0]


def test_warm_start_refuses_other_classes():
    X, y = digits()
    clf = DBNClassifier(**FAST, warm_start=True).fit(X[y < 5], y[y < 5])
    with pytest.raises(ValueError, match="Previously got \\[0 1 2 3 4\\]"):
        clf.fit(X, y)


@pytest.mark.parametrize("cls", SUPERVISED)
def test_partial_fit_returns_self_and_counts_epochs(cls):
    X, y = data_for(cls)
    est = cls(**FAST)
    kwargs = {"classes": np.unique(y)} if cls in CLASSIFIERS else {}
    chunks = np.array_split(np.arange(len(X)), 5)
    for k, chunk in enumerate(chunks):  # 3 also pretrain, every one fine-tunes
        assert est.partial_fit(X[chunk], y[chunk], **kwargs) is est
        assert est.n_iter_ == 1 and len(est.loss_curve_) == k + 1
        assert len(est.pretrain_loss_curves_[0]) == min(k + 1, 3)
        assert np.isfinite(est.predict(X).astype(float)).all()  # it predicts


@pytest.mark.parametrize("cls", SUPERVISED)
def test_partial_fit_after_fit_goes_on_fine_tuning(cls):
    X, y = data_for(cls)
    est = cls(**FAST).fit(X, y)
    curves, n_epochs = [list(c) for c in est.pretrain_loss_curves_], est.n_iter_
    before = est.output_coef_.copy()
    assert est.partial_fit(X[:100], y[:100]) is est
    assert est.n_iter_ == 1 and len(est.loss_curve_) == n_epochs + 1
    assert [list(c) for c in est.pretrain_loss_curves_] == curves  # no pretraining
    assert not np.array_equal(est.output_coef_, before)


@pytest.mark.parametrize("cls", SUPERVISED)
def test_partial_fit_refuses_early_stopping(cls):
    """As in MLPClassifier: each call is one epoch on its chunk, with
    nothing to hold out."""
    X, y = data_for(cls)
    est = cls(**dict(FAST, pretrain_iter=0), early_stopping=True)
    kwargs = {"classes": np.unique(y)} if cls in CLASSIFIERS else {}
    with pytest.raises(ValueError, match="partial_fit does not support early_st"):
        est.partial_fit(X[:10], y[:10], **kwargs)
    assert not hasattr(est, "coefs_")


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_partial_fit_needs_classes_first_and_keeps_them(cls):
    X, y = digits()
    clf = cls(**FAST)
    with pytest.raises(ValueError, match="classes must be passed on the first"):
        clf.partial_fit(X, y)
    clf.partial_fit(X[y < 5], y[y < 5], classes=np.arange(10))
    np.testing.assert_array_equal(clf.classes_, np.arange(10))
    for _ in range(4):  # later chunks may hold other classes
        clf.partial_fit(X[y >= 5], y[y >= 5])
    with pytest.raises(ValueError, match="differs from the classes"):
        clf.partial_fit(X, y, classes=np.arange(11))


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_partial_fit_over_chunks_comes_close_to_fit(cls):
    X, y = digits(1797)  # 797 test rows: a 200-row score moved by 3 points
    fitted = cls(**FAST).fit(X[:1000], y[:1000]).score(X[1000:], y[1000:])
    # the same epochs: 3 of pretraining (15 calls), 30 of fine-tuning
    clf = cls(**dict(FAST, pretrain_iter=15))
    for _ in range(33):
        for chunk in np.array_split(np.arange(1000), 5):
            clf.partial_fit(X[chunk], y[chunk], classes=np.arange(10))
    assert clf.score(X[1000:], y[1000:]) > fitted - 0.05


@pytest.mark.parametrize("cls", TRANSFORMERS)
def test_transformer_partial_fit_goes_on_from_fit(cls):
    X, _ = digits()
    est = cls(hidden_layer_sizes=(16, 8), pretrain_iter=2, random_state=0).fit(X)
    weights = est.coefs_[1].copy()
    assert est.partial_fit(X[:100]) is est
    assert [len(c) for c in est.pretrain_loss_curves_] == [3, 3]
    assert not np.array_equal(est.coefs_[1], weights)
    assert est.transform(X).shape == (len(X), 8)


@pytest.mark.parametrize("cls", TRANSFORMERS)
def test_transformer_partial_fit_from_scratch(cls):
    X, _ = digits()
    est = cls(hidden_layer_sizes=(16,), random_state=0)
    for chunk in np.array_split(np.arange(len(X)), 3):
        est.partial_fit(X[chunk])
    assert est.n_iter_ == 3
    assert est.transform(X).shape == (len(X), 16)


def test_dbn_transformer_score_is_the_mean_negative_free_energy():
    X, _ = digits()
    dbn = DBNTransformer((16,), pretrain_iter=3, random_state=0).fit(X)
    assert dbn.score(X) == pytest.approx(dbn.score_samples(X).mean())


# ---- sklearn conventions across the family ----------------------------------


@pytest.mark.parametrize("cls", SUPERVISED)
def test_same_seed_same_model_and_joblib_round_trip(cls, tmp_path):
    X, y = data_for(cls)
    a = cls(**FAST).fit(X, y)
    b = clone(a).fit(X, y)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
    for Wa, Wb in zip(a.coefs_, b.coefs_, strict=True):
        np.testing.assert_array_equal(Wa, Wb)
    path = tmp_path / "model.joblib"
    joblib.dump(a, path)
    np.testing.assert_array_equal(joblib.load(path).predict(X), a.predict(X))


@pytest.mark.parametrize("cls", SUPERVISED)
def test_float32_and_csr_input(cls):
    X, y = data_for(cls)
    X32 = X.astype(np.float32)
    est = cls(**FAST).fit(sp.csr_matrix(X32), y)
    assert est.coefs_[0].dtype == np.float32 and est.output_coef_.dtype == np.float32
    out = est.predict_proba(X32) if cls in CLASSIFIERS else est.predict(X32)
    assert out.dtype == np.float32


@pytest.mark.parametrize("cls", SUPERVISED + TRANSFORMERS)
def test_grid_search_over_depth_and_sparsity_in_parallel(cls):
    X, y = data_for(cls)
    params = dict(pretrain_iter=2, random_state=0)
    if cls is not DBNTransformer:
        params["max_iter"] = 1 if cls in TRANSFORMERS else 5
    search = GridSearchCV(
        cls(**params),
        {"hidden_layer_sizes": [(8,), (8, 4)], "sparsity_target": [0.05, 0.2]},
        cv=2,
        n_jobs=2,
    )
    # transformers are scored without labels (reconstruction, free energy)
    search.fit(X[:300], None if cls in TRANSFORMERS else y[:300])
    assert len(search.cv_results_["mean_test_score"]) == 4
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


@pytest.mark.parametrize("cls", SUPERVISED)
@pytest.mark.parametrize("n_rows, fraction", [(2, 0.1), (10, 0.1), (19, 0.05)])
def test_early_stopping_without_a_validation_set_raises(cls, n_rows, fraction):
    """As in MLPClassifier: fewer than 2 held-out rows (for classes, fewer
    than one per class) is a clear error, and the estimator is left as it
    was."""
    X, y = data_for(cls)
    X, y = X[:n_rows], y[:n_rows]
    if cls in CLASSIFIERS:
        y = np.arange(n_rows) % 2
    est = cls(**FAST, early_stopping=True, validation_fraction=fraction)
    message = "validation set is too small|number of classes|least populated"
    with pytest.raises(ValueError, match=message):
        est.fit(X, y)
    assert not hasattr(est, "n_iter_")
    est.set_params(validation_fraction=0.2).fit(*data_for(cls))
    assert len(est.validation_scores_) == est.n_iter_


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_warm_start_refit_needs_the_fitted_classes(cls):
    """As in MLPClassifier: a warm refit on fewer classes is an error that
    leaves the model as it was; partial_fit takes any subset of them."""
    X, y = digits()
    est = cls(**FAST, warm_start=True).fit(X, y)
    coef = est.output_coef_.copy()
    fewer = y < 5
    with pytest.raises(ValueError, match="warm_start can only be used where `y`"):
        est.fit(X[fewer], y[fewer])
    np.testing.assert_array_equal(est.output_coef_, coef)
    est.fit(X, y)  # the same classes go on
    assert list(est.classes_) == list(range(10))
    est.partial_fit(X[fewer], y[fewer])
    assert list(est.classes_) == list(range(10))


@pytest.mark.parametrize("cls", SUPERVISED + TRANSFORMERS)
def test_outputs_that_overflow_raise_instead_of_returning_nan(cls):
    """Inputs near the largest float overflow inside a model fitted on sane
    data: the call raises a ValueError that says so (the relu autoencoder
    regressor's unbounded output always does), or returns finite outputs
    (sigmoid units saturate), never NaN."""
    X, y = data_for(cls)
    est = cls(**FAST).fit(X, y)
    huge = np.finfo(np.float64).max * np.random.default_rng(0).uniform(-1, 1, X.shape)
    method = est.predict if hasattr(est, "predict") else est.transform
    with np.errstate(all="ignore"):
        try:
            out = method(huge)
        except ValueError as error:
            assert "produced non-finite outputs" in str(error)
            return
    assert cls is not StackedAutoencoderRegressor, "relu outputs must overflow"
    assert np.isfinite(np.asarray(out, dtype=float)).all()


DIVERGENT_CASES = (
    [(cls, "digits") for cls in SUPERVISED]
    + [(cls, "multi-output") for cls in SUPERVISED]
    + [(cls, "diabetes") for cls in REGRESSORS]
)


@pytest.mark.parametrize("cls, data", DIVERGENT_CASES)
@pytest.mark.parametrize("early_stopping", [False, True])
def test_a_divergent_fine_tuning_ends_in_an_error_naming_learning_rate_init(
    cls, data, early_stopping
):
    """learning_rate_init=1e3 never leaves a silently useless model: every
    supervised estimator, on digits (the digit as a number for the
    regressors), multi-label or multi-output targets and (the regressors) a
    regression table, raises an error that names the parameter to lower,
    with or without early stopping (which has no best epoch to fall back
    on)."""
    if data == "diabetes":
        X, y = diabetes()
    elif data == "multi-output":
        X, y = multilabel_digits(300)
    else:
        X, y = digits(300)
    if cls in REGRESSORS:
        y = y.astype(float)
    model = cls(**FAST, learning_rate_init=1e3, early_stopping=early_stopping)
    with pytest.raises(ValueError, match="diverged.*lower learning_rate_init"):
        model.fit(X, y)


@pytest.mark.parametrize("cls", REGRESSORS)
def test_streaming_regression_follows_targets_that_drift(cls, tmp_path):
    """Fitted on targets near 4 (spread 0.01), saved and loaded, then 200
    partial_fit calls on targets near 1: the target scaling of the first
    fit would put them 300 standard deviations away; the model follows
    them as MLPRegressor does (mean absolute error at most 0.15)."""
    rng = np.random.default_rng(0)
    X, X_new = rng.normal(size=(200, 5)), rng.normal(size=(200, 5))
    y, y_new = 4 + 0.01 * rng.normal(size=200), 1 + 0.01 * rng.normal(size=200)
    joblib.dump(cls(random_state=0).fit(X, y), tmp_path / "model.joblib")
    model = joblib.load(tmp_path / "model.joblib")
    for _ in range(200):
        rows = rng.integers(0, 200, 20)
        model.partial_fit(X_new[rows], y_new[rows])
    assert np.abs(model.predict(X_new) - y_new).mean() <= 0.15


def test_merged_target_statistics_are_those_of_every_target():
    from skdeep._heads.regression import merged_statistics

    rng = np.random.default_rng(0)
    first, second = rng.normal(4, 0.5, (30, 2)), rng.normal(1, 2.0, (50, 2))
    w = rng.uniform(0.5, 2, 50)
    both, weights = np.vstack([first, second]), np.concatenate([np.ones(30), w])
    mean, scale, total = merged_statistics(
        30.0, first.mean(axis=0), first.std(axis=0), second, w
    )
    expected = np.average(both, axis=0, weights=weights)
    np.testing.assert_allclose(mean, expected)
    variance = np.average((both - expected) ** 2, axis=0, weights=weights)
    np.testing.assert_allclose(scale, np.sqrt(variance))
    assert total == pytest.approx(30 + w.sum())


@pytest.mark.parametrize("cls", REGRESSORS)
def test_rescaling_the_targets_moves_no_prediction(cls):
    """When the scaling follows drifted targets, the output layer is
    rescaled with it: the model predicts as before (fine-tuning off)."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 5))
    model = cls(random_state=0, max_iter=5).fit(X, 4 + 0.01 * rng.normal(size=100))
    before = model.predict(X)
    mean, scale = model._follow_targets(np.full((10, 1), 1.0), None)
    assert model.target_scale_[0] > 10 * 0.01 and np.all(mean < 4)
    np.testing.assert_allclose(model.predict(X), before, rtol=1e-10, atol=1e-10)
