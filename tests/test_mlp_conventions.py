"""scikit-learn's own tests of MLPClassifier and MLPRegressor
(``sklearn/neural_network/tests/test_mlp.py``), adapted to the four
supervised estimators: every test that applies, under the same name, on
the same data; the ones that cannot apply skip with the reason.

The adaptations: skdeep fine-tunes with Adam (no ``solver``, no
``learning_rate`` schedule, no lbfgs), its hidden units are fixed by the
pretraining family, and a fit pretrains first. Where a sklearn test sets
``solver="lbfgs"`` (full-batch second-order training to convergence), the
adapted one gives Adam the epochs and the step it needs on that data (300
epochs at 0.01 for classification, 500 for regression) and asks 0.95 of a
regression's training R^2 (sklearn's lbfgs asks 0.98); every estimator
keeps its own default dropout, input dropout and alpha. The multi-label
data are scaled to [0, 1] (their counts would make the DBN's visibles
Gaussian).
"""

import re
import warnings

import joblib
import numpy as np
import pytest
from sklearn.datasets import (
    load_digits,
    load_iris,
    make_classification,
    make_multilabel_classification,
    make_regression,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import roc_auc_score
from sklearn.preprocessing import MinMaxScaler, scale
from sklearn.utils._testing import assert_allclose, assert_array_equal
from sklearn.utils.fixes import CSR_CONTAINERS

from skdeep import (
    DBNClassifier,
    DBNRegressor,
    StackedAutoencoderClassifier,
    StackedAutoencoderRegressor,
)
from skdeep._core.network import loss_and_gradient
from skdeep._heads import step

CLASSIFIERS = [DBNClassifier, StackedAutoencoderClassifier]
REGRESSORS = [DBNRegressor, StackedAutoencoderRegressor]
SUPERVISED = CLASSIFIERS + REGRESSORS

X_digits, y_digits = load_digits(n_class=3, return_X_y=True)
X_digits_multi = MinMaxScaler().fit_transform(X_digits[:200])
y_digits_multi = y_digits[:200]

X_digits, y_digits = load_digits(n_class=2, return_X_y=True)
X_digits_binary = MinMaxScaler().fit_transform(X_digits[:200])
y_digits_binary = y_digits[:200]

classification_datasets = [
    (X_digits_multi, y_digits_multi),
    (X_digits_binary, y_digits_binary),
]

X_reg, y_reg = make_regression(
    n_samples=200, n_features=10, bias=20.0, noise=100.0, random_state=7
)
y_reg = scale(y_reg)

X_iris, y_iris = load_iris(return_X_y=True)

# What sklearn's lbfgs runs do in one call: train to a small training loss.
# Adam gets the epochs and the step it needs for that (300 epochs for
# classification, 500 for regression, at 0.01); each estimator keeps its
# own default dropout, input dropout, alpha and stopping rule.
CLASSIFY = dict(max_iter=300, learning_rate_init=0.01)
REGRESS = dict(max_iter=500, learning_rate_init=0.01)

# DBNRegressor's default Bernoulli hidden units learn slowly on these small
# regressions (200 rows of independent features): its training R^2 reaches
# about 0.81 when the stopping rule ends the fit, where the tests ask 0.95.
# Rectified units reach it (tested below); they are not its default because
# they generalized worse on the regression tables of the user guide's
# hidden-unit sweep (the choosing page).
SLOW_BERNOULLI = pytest.mark.xfail(
    strict=True, reason="Bernoulli DBN regression fits its training set slowly"
)


def regressors_with_relu():
    """Both regressors at their defaults (DBNRegressor's expected to fall
    short) and DBNRegressor with rectified hidden units."""
    return [
        pytest.param(DBNRegressor, {}, marks=SLOW_BERNOULLI, id="DBNRegressor"),
        pytest.param(StackedAutoencoderRegressor, {}, id="SAERegressor"),
        pytest.param(DBNRegressor, {"hidden_units": "relu"}, id="DBNRegressor-relu"),
    ]


LBFGS = "lbfgs and its max_fun: skdeep fine-tunes with Adam only"
SOLVER = (
    "a worked SGD example on hand-set weights; skdeep fine-tunes with Adam from "
    "pretrained weights, and its loss, gradients and Adam step are checked "
    "against brute force in tests/core (test_network.py, test_optim.py)"
)
SCHEDULE = "learning-rate schedules of the sgd solver: skdeep fine-tunes with Adam"


def multilabel_data():
    """sklearn's 50-row multi-label set, scaled to [0, 1] (its counts would
    make the DBN's visible units Gaussian)."""
    X, Y = make_multilabel_classification(
        n_samples=50, random_state=0, return_indicator=True
    )
    return MinMaxScaler().fit_transform(X), Y


def quiet(estimator, X, y, **kwargs):
    """fit without the ConvergenceWarning of a capped run."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y, **kwargs)


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_alpha(cls):
    # larger alpha yields weights closer to zero
    X, y = X_digits_binary[:100], y_digits_binary[:100]
    sums = []
    for alpha in [0, 1]:
        model = quiet(cls(hidden_layer_sizes=10, alpha=alpha, random_state=1), X, y)
        sums.append([np.abs(model.coefs_[0]).sum(), np.abs(model.output_coef_).sum()])
    assert (np.array(sums[0]) > np.array(sums[1])).all()


@pytest.mark.skip(reason=SOLVER)
def test_fit():
    pass


@pytest.mark.skip(
    reason="MLPClassifier's private lbfgs loss; skdeep's gradients are checked "
    "against finite differences in tests/core/test_network.py"
)
def test_gradient():
    pass


@pytest.mark.parametrize("cls", CLASSIFIERS)
@pytest.mark.parametrize("X,y", classification_datasets)
def test_lbfgs_classification(cls, X, y):
    X_train, y_train, X_test = X[:150], y[:150], X[150:]
    model = cls(hidden_layer_sizes=50, random_state=1, **CLASSIFY)
    model = quiet(model, X_train, y_train)
    y_predict = model.predict(X_test)
    assert model.score(X_train, y_train) > 0.95
    assert (y_predict.shape[0], y_predict.dtype.kind) == (
        X_test.shape[0],
        y_train.dtype.kind,
    )


@pytest.mark.parametrize("cls, units", regressors_with_relu())
def test_lbfgs_regression(cls, units):
    model = quiet(
        cls(hidden_layer_sizes=50, random_state=1, **REGRESS, **units), X_reg, y_reg
    )
    # non-linear models fit much better than the linear bottleneck
    assert model.score(X_reg, y_reg) > 0.95


@pytest.mark.skip(reason=LBFGS)
def test_lbfgs_classification_maxfun():
    pass


@pytest.mark.skip(reason=LBFGS)
def test_lbfgs_regression_maxfun():
    pass


@pytest.mark.skip(reason=SCHEDULE)
def test_learning_rate_warmstart():
    pass


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_multilabel_classification(cls):
    X, y = multilabel_data()
    model = quiet(cls(hidden_layer_sizes=50, random_state=0, **CLASSIFY), X, y)
    assert model.score(X, y) > 0.97
    # partial_fit: as sklearn's, alpha=1e-5; Adam at 0.05 where sklearn's
    # SGD runs at 0.2
    model = cls(hidden_layer_sizes=50, random_state=0, learning_rate_init=0.05)
    for _ in range(100):
        model.partial_fit(X, y, classes=[0, 1, 2, 3, 4])
    assert model.score(X, y) > 0.9
    # early stopping works (the split is not stratified for multi-label)
    cls(early_stopping=True).fit(X, y).predict(X)


@pytest.mark.parametrize("cls", REGRESSORS)
def test_multioutput_regression(cls):
    X, y = make_regression(n_samples=200, n_targets=5, random_state=11)
    model = quiet(cls(hidden_layer_sizes=50, random_state=1, **REGRESS), X, y)
    assert model.score(X, y) > 0.9


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_partial_fit_classes_error(cls):
    # different classes in a later partial_fit call raise an error
    X, y = [[3, 2]], [0]
    model = cls()
    model.partial_fit(X, y, classes=[0, 1])
    with pytest.raises(ValueError):
        model.partial_fit(X, y, classes=[1, 2])


@pytest.mark.parametrize("cls", CLASSIFIERS)
@pytest.mark.parametrize("X,y", classification_datasets)
def test_partial_fit_classification(cls, X, y):
    # without pretraining, 100 partial_fit calls on all rows are fit's
    # 100 epochs, bit for bit; with it, the model is as good
    params = dict(random_state=1, alpha=1e-5, learning_rate_init=0.01, tol=0)
    params |= dict(pretrain_iter=0, weight_averaging=0.0, n_iter_no_change=np.inf)
    pred1 = quiet(cls(max_iter=100, **params), X, y).predict(X)
    model = cls(**params)
    for _ in range(100):
        model.partial_fit(X, y, classes=np.unique(y))
    assert_array_equal(pred1, model.predict(X))
    assert model.score(X, y) > 0.95
    model = cls(random_state=1)
    for _ in range(100):
        model.partial_fit(X, y, classes=np.unique(y))
    assert model.score(X, y) > 0.95


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_partial_fit_unseen_classes(cls):
    # a class named in classes= but absent from the first call is learned later
    model = cls(random_state=0)
    model.partial_fit([[1], [2], [3]], ["a", "b", "c"], classes=["a", "b", "c", "d"])
    model.partial_fit([[4]], ["d"])
    assert model.score([[1], [2], [3], [4]], ["a", "b", "c", "d"]) > 0


@pytest.mark.parametrize("cls", REGRESSORS)
def test_partial_fit_regression(cls):
    # without pretraining, 100 full-batch partial_fit calls are fit's 100
    # epochs; with it, the model is as good
    params = dict(random_state=1, learning_rate_init=0.01, batch_size=X_reg.shape[0])
    params |= dict(pretrain_iter=0, weight_averaging=0.0, n_iter_no_change=np.inf)
    pred1 = quiet(cls(max_iter=100, **params), X_reg, y_reg).predict(X_reg)
    model = cls(**params)
    for _ in range(100):
        model.partial_fit(X_reg, y_reg)
    assert_allclose(pred1, model.predict(X_reg))
    assert model.score(X_reg, y_reg) > 0.65


@pytest.mark.parametrize("cls, units", regressors_with_relu())
def test_partial_fit_regression_at_the_defaults(cls, units):
    # sklearn's 100 full-batch passes, each estimator at its own defaults
    # (pretraining included): the training set is fitted (sklearn's SGD
    # asks 0.65 of its relu MLP, Adam with pretraining reaches 0.95)
    batch = X_reg.shape[0]
    model = cls(random_state=1, learning_rate_init=0.01, batch_size=batch, **units)
    for _ in range(100):
        model.partial_fit(X_reg, y_reg)
    assert model.score(X_reg, y_reg) > 0.95


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_partial_fit_errors(cls):
    X, y = [[3, 2], [1, 6]], [1, 0]
    with pytest.raises(ValueError):  # y holds classes that classes= lacks
        cls().partial_fit(X, y, classes=[2])
    if cls is DBNClassifier:  # as lbfgs in MLPClassifier: no partial_fit
        assert not hasattr(cls(fine_tuning="up-down"), "partial_fit")


@pytest.mark.parametrize("cls", SUPERVISED)
def test_nonfinite_params(cls):
    rng = np.random.RandomState(0)
    X = np.finfo(np.float64).max * rng.uniform(size=(10, 2))
    y = rng.standard_normal(size=10) if cls in REGRESSORS else np.arange(10) % 2
    model = cls()
    with pytest.raises(ValueError, match="large values and need to be preprocessed"):
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            model.fit(X, y)
    assert not hasattr(model, "coefs_")


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_predict_proba_binary(cls):
    X, y = X_digits_binary[:50], y_digits_binary[:50]
    model = quiet(cls(hidden_layer_sizes=5, random_state=1), X, y)
    y_proba, y_log_proba = model.predict_proba(X), model.predict_log_proba(X)
    assert y_proba.shape == (50, 2)
    assert_array_equal(y_proba.argmax(axis=1), y_log_proba.argmax(axis=1))
    assert_allclose(y_log_proba, np.log(y_proba))
    assert roc_auc_score(y, y_proba[:, 1]) == 1.0


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_predict_proba_multiclass(cls):
    X, y = X_digits_multi[:10], y_digits_multi[:10]
    model = quiet(cls(hidden_layer_sizes=5), X, y)
    y_proba, y_log_proba = model.predict_proba(X), model.predict_log_proba(X)
    assert y_proba.shape == (10, np.unique(y).size)
    assert_array_equal(y_proba.argmax(axis=1), y_log_proba.argmax(axis=1))
    assert_allclose(y_log_proba, np.log(y_proba))


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_predict_proba_multilabel(cls):
    # multi-label outputs are independent sigmoids, not a softmax
    X, Y = multilabel_data()
    model = quiet(cls(hidden_layer_sizes=30, random_state=0, **CLASSIFY), X, Y)
    y_proba = model.predict_proba(X)
    assert y_proba.shape == Y.shape
    assert_array_equal(y_proba > 0.5, Y)
    y_log_proba = model.predict_log_proba(X)
    assert (y_proba.sum(1) - 1).dot(y_proba.sum(1) - 1) > 1e-10
    assert_array_equal(y_proba.argmax(axis=1), y_log_proba.argmax(axis=1))
    # log-probabilities come from the logits (a log-sigmoid): near 1, more
    # precise than the log of the rounded probability, hence the atol
    assert_allclose(y_log_proba, np.log(y_proba), atol=1e-15)


@pytest.mark.parametrize("cls", REGRESSORS)
def test_shuffle(cls):
    # no shuffle parameter: the minibatch order follows random_state, so the
    # same seed gives the same weights and another seed other ones
    X, y = make_regression(n_samples=50, n_features=5, random_state=0)
    params = dict(hidden_layer_sizes=1, max_iter=1, batch_size=1, pretrain_iter=0)
    fits = [quiet(cls(random_state=s, **params), X, y) for s in (0, 0, 1)]
    assert np.array_equal(fits[0].coefs_[0], fits[1].coefs_[0])
    assert not np.array_equal(fits[0].coefs_[0], fits[2].coefs_[0])


@pytest.mark.parametrize("cls", CLASSIFIERS)
@pytest.mark.parametrize("csr_container", CSR_CONTAINERS)
def test_sparse_matrices(cls, csr_container):
    X, y = X_digits_binary[:50], y_digits_binary[:50]
    model = quiet(cls(hidden_layer_sizes=15, random_state=1), X, y)
    pred1 = model.predict(X)
    quiet(model, csr_container(X), y)
    assert_array_equal(pred1, model.predict(csr_container(X)))
    assert_array_equal(model.predict(X), model.predict(csr_container(X)))


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_tolerance(cls):
    # a large tol ends training long before max_iter
    model = cls(tol=0.5, max_iter=3000).fit([[3, 2], [1, 6]], [1, 0])
    assert model.max_iter > model.n_iter_


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_verbose_sgd(cls, capsys):
    X, y = [[3, 2], [1, 6]], [1, 0]
    model = cls(max_iter=2, verbose=10, hidden_layer_sizes=2)
    quiet(model, X, y)
    model.partial_fit(X, y)
    out, _ = capsys.readouterr()
    assert "fine-tuning epoch 1/2: loss" in out  # one line per epoch
    assert out.count("fine-tuning epoch 1/1: loss") == 1  # partial_fit's epoch


@pytest.mark.parametrize("cls", SUPERVISED)
def test_early_stopping(cls):
    X, y = X_digits_binary[:100], y_digits_binary[:100]
    tol = 0.2
    model = cls(tol=tol, max_iter=3000, early_stopping=True).fit(X, y)
    assert model.max_iter > model.n_iter_
    assert model.best_loss_ is None
    assert isinstance(model.validation_scores_, list)
    valid_scores = model.validation_scores_
    best = model.best_validation_score_
    assert max(valid_scores) == best
    assert best + tol > valid_scores[-2] and best + tol > valid_scores[-1]
    # without early stopping: no validation attributes, a best loss
    model = cls(tol=tol, max_iter=3000, early_stopping=False).fit(X, y)
    assert model.validation_scores_ is None
    assert model.best_validation_score_ is None
    assert model.best_loss_ is not None


@pytest.mark.skip(reason=SCHEDULE)
def test_adaptive_learning_rate():
    pass


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_warm_start(cls):
    X, y = X_iris, y_iris
    y_2classes = np.array([0] * 75 + [1] * 75)
    y_3classes = np.array([0] * 40 + [1] * 40 + [2] * 70)
    y_3classes_alt = np.array([0] * 50 + [1] * 50 + [3] * 50)
    y_4classes = np.array([0] * 37 + [1] * 37 + [2] * 38 + [3] * 38)
    y_5classes = np.array([0] * 30 + [1] * 30 + [2] * 30 + [3] * 30 + [4] * 30)
    params = dict(hidden_layer_sizes=2, warm_start=True, random_state=42, tol=1e-2)
    model = quiet(cls(**params), X, y)  # no error raised
    quiet(model, X, y)
    quiet(model, X, y_3classes)
    for y_i in (y_2classes, y_3classes_alt, y_4classes, y_5classes):
        model = quiet(cls(**params), X, y)
        message = (
            "warm_start can only be used where `y` has the same "
            "classes as in the previous call to fit."
            f" Previously got [0 1 2], `y` has {np.unique(y_i)}"
        )
        with pytest.raises(ValueError, match=re.escape(message)):
            model.fit(X, y_i)


@pytest.mark.parametrize("cls", SUPERVISED)
def test_warm_start_full_iteration(cls):
    # a warm-started estimator runs max_iter epochs on each fit
    model = cls(hidden_layer_sizes=2, warm_start=True, max_iter=3)
    quiet(model, X_iris, y_iris)
    assert model.n_iter_ == 3
    quiet(model, X_iris, y_iris)
    assert model.n_iter_ == 3


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_n_iter_no_change(cls):
    # training stops after n_iter_no_change epochs without improvement by
    # tol (MLPClassifier's private counter is not part of skdeep)
    X, y = X_digits_binary[:100], y_digits_binary[:100]
    stopped_at = []
    for n_iter_no_change in [2, 5, 10, 50]:
        model = cls(
            tol=0.01, max_iter=3000, n_iter_no_change=n_iter_no_change, random_state=0
        )
        model.fit(X, y)
        assert model.n_iter_ < 3000 and model.n_iter_ > n_iter_no_change
        stopped_at.append(model.n_iter_)
    assert stopped_at == sorted(stopped_at)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_n_iter_no_change_inf(cls):
    # an infinite n_iter_no_change never stops before max_iter
    X, y = X_digits_binary[:100], y_digits_binary[:100]
    model = cls(tol=1e9, max_iter=300, n_iter_no_change=np.inf).fit(X, y)
    assert model.n_iter_ == 300


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_early_stopping_stratified(cls):
    # the early-stopping split is stratified
    X, y = [[1, 2], [2, 3], [3, 4], [4, 5]], [0, 0, 0, 1]
    with pytest.raises(
        ValueError,
        match=(
            r"The least populated classes in y have only 1 member.*Classes with "
            r"too few members are: \[1\]"
        ),
    ):
        cls(early_stopping=True).fit(X, y)


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_mlp_early_stopping_string_labels(cls):
    X, y = make_classification(
        n_samples=200, n_features=10, n_classes=3, n_informative=5, random_state=42
    )
    y = np.array(["class_a", "class_b", "class_c"], dtype=object)[y]
    model = quiet(cls(early_stopping=True, max_iter=50, random_state=42), X, y)
    assert model.validation_scores_ is not None
    assert len(model.validation_scores_) == model.n_iter_
    assert np.isfinite(model.validation_scores_).all()


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_mlp_classifier_dtypes_casting(cls):
    params = dict(alpha=1e-5, hidden_layer_sizes=(5, 3), random_state=1)
    params |= dict(max_iter=100, tol=1e-1)
    model_64 = quiet(cls(**params), X_digits[:300], y_digits[:300])
    model_32 = quiet(cls(**params), X_digits[:300].astype(np.float32), y_digits[:300])
    X_test = X_digits[300:]
    assert_array_equal(
        model_64.predict(X_test), model_32.predict(X_test.astype(np.float32))
    )
    assert_allclose(
        model_64.predict_proba(X_test),
        model_32.predict_proba(X_test.astype(np.float32)),
        rtol=1e-02,
    )


@pytest.mark.parametrize("cls", REGRESSORS)
def test_mlp_regressor_dtypes_casting(cls):
    params = dict(alpha=1e-5, hidden_layer_sizes=(5, 3), random_state=1)
    params |= dict(max_iter=150, tol=1e-3)
    model_64 = quiet(cls(**params), X_digits[:300], y_digits[:300])
    model_32 = quiet(cls(**params), X_digits[:300].astype(np.float32), y_digits[:300])
    # and atol: predictions near 0 carry float32's absolute rounding
    assert_allclose(
        model_64.predict(X_digits[300:]),
        model_32.predict(X_digits[300:].astype(np.float32)),
        rtol=5e-04,
        atol=1e-6,
    )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("cls", SUPERVISED)
def test_mlp_param_dtypes(dtype, cls):
    # the input's dtype is the parameters' and the predictions'
    X, y = X_digits.astype(dtype), y_digits
    params = dict(alpha=1e-5, hidden_layer_sizes=(5, 3), random_state=1)
    model = quiet(cls(max_iter=50, tol=1e-1, **params), X[:300], y[:300])
    pred = model.predict(X[300:])
    assert all(b.dtype == dtype for b in model.intercepts_)
    assert all(W.dtype == dtype for W in model.coefs_)
    if cls in REGRESSORS:
        assert pred.dtype == dtype


@pytest.mark.parametrize("cls", REGRESSORS)
def test_mlp_loading_from_joblib_partial_fit(cls, tmp_path):
    # a model loaded with joblib and streamed towards a new target learns it.
    # Adapted: no dropout (the MLP has none: with it the mean network only
    # approaches the target), two rows at fit (one row standardizes to zeros,
    # where relu units have no gradient), and Adam's last steps oscillate
    # by about 1e-4 around the target.
    model = cls(
        hidden_layer_sizes=(42,), random_state=42, learning_rate_init=0.01, dropout=0
    )
    quiet(model, [[2], [4]], [4, 8])
    joblib.dump(model, tmp_path / "model.pkl")
    loaded = joblib.load(tmp_path / "model.pkl")
    for _ in range(200):
        loaded.partial_fit([[2]], [1])
    assert_allclose(loaded.predict([[2]]), [1], rtol=1e-3)


@pytest.mark.parametrize("cls", SUPERVISED)
def test_preserve_feature_names(cls):
    # early stopping's split keeps the feature names (no UserWarning)
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(0)
    X = pd.DataFrame(data=rng.randn(10, 2), columns=["colname_a", "colname_b"])
    y = pd.Series(data=np.arange(10) % 2, name="colname_y")
    model = cls(early_stopping=True, validation_fraction=0.2)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)


@pytest.mark.parametrize("cls", SUPERVISED)
def test_mlp_warm_start_with_early_stopping(cls):
    model = cls(max_iter=10, random_state=0, warm_start=True, early_stopping=True)
    quiet(model, X_iris, y_iris)
    n_validation_scores = len(model.validation_scores_)
    model.set_params(max_iter=20)
    quiet(model, X_iris, y_iris)
    assert len(model.validation_scores_) > n_validation_scores


@pytest.mark.parametrize("cls", SUPERVISED)
def test_mlp_warm_start_no_convergence(cls):
    # a warm-started estimator stops at max_iter, and warns
    model = cls(warm_start=True, max_iter=10, n_iter_no_change=np.inf, random_state=0)
    with pytest.warns(ConvergenceWarning):
        model.fit(X_iris, y_iris)
    assert model.n_iter_ == 10
    model.set_params(max_iter=20)
    with pytest.warns(ConvergenceWarning):
        model.fit(X_iris, y_iris)
    assert model.n_iter_ == 20


@pytest.mark.parametrize("cls", SUPERVISED)
def test_mlp_partial_fit_after_fit(cls):
    model = quiet(cls(early_stopping=True, random_state=0), X_iris, y_iris)
    with pytest.raises(ValueError, match="partial_fit does not support early_st"):
        model.partial_fit(X_iris, y_iris)


@pytest.mark.parametrize("cls", REGRESSORS)
def test_mlp_diverging_loss(cls, monkeypatch):
    # a fine-tuning with early stopping that diverges after some epochs keeps
    # its best epoch, records a NaN validation score and does not raise.
    # Adapted: Adam either diverges in its first epoch here or not at all, so
    # the loss turns NaN from the 20th minibatch on (with nothing to fall
    # back on, a first-epoch divergence raises: test_nonfinite_params)
    calls = iter(range(10**6))

    def diverging(*args, **kwargs):
        loss, grads = loss_and_gradient(*args, **kwargs)
        return (np.nan if next(calls) >= 20 else loss), grads

    monkeypatch.setattr(step, "loss_and_gradient", diverging)
    model = cls(
        hidden_layer_sizes=100, max_iter=20, early_stopping=True, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("error", RuntimeWarning)
        model.fit(X_iris, y_iris)
    assert str(model.validation_scores_[-1]) == str(np.nan)
    assert isinstance(model.validation_scores_[-1], float)
    assert np.isfinite(model.predict(X_iris)).all()


@pytest.mark.parametrize("cls", REGRESSORS)
def test_mlp_sample_weight_with_early_stopping(cls):
    X, y = make_regression(
        n_samples=100, n_features=2, n_informative=2, random_state=42
    )
    params = dict(hidden_layer_sizes=10, early_stopping=True, tol=1e-2)
    params |= dict(learning_rate_init=0.01, batch_size=10, random_state=42)
    m1 = quiet(cls(**params), X, y, sample_weight=np.ones_like(y))
    m2 = quiet(cls(**params), X, y, sample_weight=None)
    assert_allclose(m1.predict(X), m2.predict(X))


@pytest.mark.skip(
    reason="loss='poisson': skdeep's regressors fit the squared error only"
)
def test_mlp_vs_poisson_glm_equivalent():
    pass


@pytest.mark.parametrize("cls", REGRESSORS)
def test_minimum_input_sample_size(cls):
    X, y = make_regression(n_samples=2, n_features=5, random_state=0)
    with pytest.raises(ValueError, match="The validation set is too small"):
        cls(early_stopping=True, random_state=0).fit(X, y)
