"""What every pretrained regressor shares: targets, the linear output head and
prediction.

The output layer is linear with the squared error, as in ``MLPRegressor``;
the targets are standardized inside (their weighted mean and standard
deviation over the labeled rows), so that Adam's step size and the Glorot
initialisation suit targets of any scale.
"""

import numpy as np
from sklearn.base import RegressorMixin, _fit_context
from sklearn.utils.validation import (
    check_array,
    check_consistent_length,
)

from skdeep._core.network import forward
from skdeep._core.xp import in_library_of, numpy_dtype, to_numpy, xp_of
from skdeep._heads.fine_tuning import Targets
from skdeep._utils.callbacks import with_fit_tasks
from skdeep._utils.validation import (
    FLOATS,
    finite_outputs,
    restore_on_error,
    same_library,
    small_products_on_one_thread,
    validate_data,
)

# learning_rate_init="auto" of the regressors on real-valued inputs: the
# stack pretrained on such data starts with small weights (an RBM or an
# autoencoder of weakly structured columns learns little), and at the
# classification rate a smooth target's fit stalls in the near-linear regime.
AUTO_REAL_VALUED_REGRESSION_RATE = 5e-3


class RegressorHeadMixin(RegressorMixin):
    """Regression targets on top of :class:`FineTuningMixin`."""

    # input_dropout="auto" is none on real-valued inputs, and the step size
    # is larger there (see FineTuningMixin)
    _input_dropout_real_valued = False
    _auto_real_valued_rate = AUTO_REAL_VALUED_REGRESSION_RATE

    @_fit_context(prefer_skip_nested_validation=True)
    @restore_on_error
    @small_products_on_one_thread
    @with_fit_tasks
    def fit(self, X, y, sample_weight=None):
        """Pretrain on every row of X, then fine-tune on the labeled rows.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; float32 input is trained in float32.

        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets; rows equal to ``unlabeled_label`` are unlabeled.

        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each row in the fine-tuning loss; zero-weight rows
            take no part in training at all.

        Returns
        -------
        self : object
            The fitted regressor.
        """
        return self._fit(X, y, sample_weight)

    @_fit_context(prefer_skip_nested_validation=True)
    @restore_on_error
    @small_products_on_one_thread
    @with_fit_tasks
    def partial_fit(self, X, y, sample_weight=None):
        """Train on one chunk of a stream, going on from the previous calls.

        Every call leaves a model that predicts: the first
        ``pretrain_iter`` calls train one epoch of layer-wise pretraining on
        every row of the chunk (each layer on the chunk as the layers below
        represent it), and every call then trains one fine-tuning epoch on
        the chunk's labeled rows, Adam's state kept. After ``fit``, every
        call only fine-tunes. The visible units, the standardization and the
        decoder come from the first chunk. As in ``MLPClassifier``, it
        refuses ``early_stopping=True``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A chunk of training rows.

        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Its targets.

        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each row in the fine-tuning loss.

        Returns
        -------
        self : object
            The regressor.
        """
        return self._fit(X, y, sample_weight, partial=True)

    def _validate_data_and_targets(self, X, y, continuing):
        marker = self.unlabeled_label
        if marker is None:
            return validate_data(
                self,
                X,
                y,
                accept_sparse="csr",
                dtype=FLOATS,
                multi_output=True,
                y_numeric=True,
                reset=not continuing,
            )
        X = validate_data(
            self,
            X,
            accept_sparse="csr",
            dtype=FLOATS,
            reset=not continuing,
        )
        allow_nan = _is_nan(marker)
        with np.errstate(invalid="ignore", over="ignore"):  # see validate_data
            y = check_array(
                y,
                ensure_2d=False,
                dtype="numeric",
                ensure_all_finite="allow-nan" if allow_nan else True,
                input_name="y",
            )
        check_consistent_length(X, y)
        return X, y

    def _validate_targets(self, X, y, continuing, classes=None, weights=None):
        """Labeled rows and their standardized targets (2-D)."""
        labeled = self._labeled_rows(y)
        Y = y.reshape(len(y), -1)[labeled].astype(np.float64)
        w = None if weights is None else weights[labeled].astype(np.float64)
        if w is not None and not w.any():
            w = None  # an error follows: no labeled row has weight
        if continuing:
            if Y.shape[1] != self.n_outputs_:
                raise ValueError(
                    f"y has {Y.shape[1]} outputs; {type(self).__name__} was "
                    f"fitted with {self.n_outputs_}. Fit a new model "
                    "(warm_start=False) for other targets."
                )
            (mean, scale), fitted = self._follow_targets(Y, w), {}
        else:
            mean = np.average(Y, axis=0, weights=w)
            scale = np.sqrt(np.average((Y - mean) ** 2, axis=0, weights=w))
            scale[scale < 1e-12] = 1.0
            mean, scale = in_library_of(mean, X), in_library_of(scale, X)
            fitted = {
                "target_mean_": mean,
                "target_scale_": scale,
                "_target_weight": float(len(Y) if w is None else w.sum()),
                "_single_output": y.ndim == 1,
                "output_activation_": "identity",
                "n_outputs_": Y.shape[1],
            }
        T = (Y - to_numpy(mean)) / to_numpy(scale)
        return Targets(labeled, T.astype(numpy_dtype(X.dtype)), "identity", fitted)

    def _follow_targets(self, Y, w):
        """(mean, scale) of the targets of a fit that goes on: the stored
        ones, unless targets Y lie far outside them (standardized, beyond
        ``DRIFT_LIMIT``: a stream whose targets drifted). Then they become
        the statistics of every target seen, and the output layer is
        rescaled so that no prediction moves: the new targets are a few
        units away instead of hundreds, and fine-tuning follows them."""
        mean, scale = to_numpy(self.target_mean_), to_numpy(self.target_scale_)
        if not np.any(np.abs((Y - mean) / scale) > DRIFT_LIMIT):
            return self.target_mean_, self.target_scale_
        seen = getattr(self, "_target_weight", float(len(Y)))
        new_mean, new_scale, self._target_weight = merged_statistics(
            seen, mean, scale, Y, w
        )
        ratio = in_library_of(scale / new_scale, self.output_coef_)
        shift = in_library_of((mean - new_mean) / new_scale, self.output_coef_)
        self.output_coef_ *= ratio
        self.output_intercept_ *= ratio
        self.output_intercept_ += shift
        self.target_mean_ = in_library_of(new_mean, self.target_mean_)
        self.target_scale_ = in_library_of(new_scale, self.target_scale_)
        return self.target_mean_, self.target_scale_

    def _labeled_rows(self, y):
        """Boolean mask of the rows whose target is not ``unlabeled_label``."""
        if self.unlabeled_label is None:
            return np.ones(len(y), dtype=bool)
        Y = y.reshape(len(y), -1)
        marker = self.unlabeled_label
        is_marker = np.isnan(Y) if _is_nan(marker) else Y == marker
        labeled = ~np.all(is_marker, axis=1)
        if not labeled.any():
            raise ValueError(
                f"Every row of y is unlabeled (equal to unlabeled_label="
                f"{marker!r}); {type(self).__name__} needs labeled rows."
            )
        if np.isnan(Y[labeled]).any():
            raise ValueError(
                "Input y contains NaN in labeled rows: only whole rows can be "
                "unlabeled."
            )
        return labeled

    @staticmethod
    def _stratify(T):
        return None

    @staticmethod
    def _validation_scorer(A, T, layers):
        """params -> R^2 on the held-out rows A (averaged over outputs)."""
        total = ((T - T.mean(axis=0)) ** 2).sum(axis=0)
        total[total == 0] = 1.0

        def r2(params):
            outputs = to_numpy(forward(params, layers, A)[-1])
            residual = ((outputs - T) ** 2).sum(axis=0)
            return float(np.mean(1 - residual / total))

        return r2

    @staticmethod
    def _pseudo_labeled_rows(labeled):
        """Unlabeled rows take part in pretraining only."""
        return np.array([], dtype=int)

    def predict(self, X):
        """Predicted targets (deterministic up-pass, linear output).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data to predict.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Predictions, 1-D when ``y`` was 1-D at fit.
        """
        same_library(self, X, "predict")
        outputs = self._output_logits(X)
        xp = xp_of(outputs)
        outputs *= xp.astype(self.target_scale_, outputs.dtype)
        outputs += xp.astype(self.target_mean_, outputs.dtype)
        outputs = finite_outputs(outputs, self)
        return xp.reshape(outputs, (-1,)) if self._single_output else outputs

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.array_api_support = True
        tags.target_tags.multi_output = True
        return tags


# Standardized targets beyond this many standard deviations of the ones
# seen so far mean a drifted stream (see _follow_targets).
DRIFT_LIMIT = 10.0


def merged_statistics(seen, mean, scale, Y, w=None):
    """The mean and standard deviation of every target, from those of the
    ``seen`` (total weight) earlier ones and the targets Y (weights w), by
    Chan et al.'s pairwise update; and the total weight."""
    added = float(len(Y) if w is None else w.sum())
    Y_mean = np.average(Y, axis=0, weights=w)
    Y_var = np.average((Y - Y_mean) ** 2, axis=0, weights=w)
    total = seen + added
    delta = Y_mean - mean
    new_mean = mean + delta * added / total
    squares = scale**2 * seen + Y_var * added + delta**2 * seen * added / total
    new_scale = np.sqrt(squares / total)
    new_scale[new_scale < 1e-12] = 1.0
    return new_mean, new_scale, total


def _is_nan(value):
    """Whether ``value`` is a float NaN (False for any other object)."""
    return isinstance(value, float) and np.isnan(value)
