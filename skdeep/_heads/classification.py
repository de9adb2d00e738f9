"""What every pretrained classifier shares: targets, output heads, prediction
and semi-supervised fine-tuning with pseudo-labels.

Single-label targets (binary or multiclass) get a softmax output and the
log-loss; a label-indicator matrix (multi-label) gets one sigmoid output per
label and the binary cross-entropy, as in ``MLPClassifier``.
"""

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import ClassifierMixin, _fit_context
from sklearn.exceptions import DataConversionWarning
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets, type_of_target

from skdeep._core.activations import log_softmax, softplus
from skdeep._core.arrays import to_dense
from skdeep._core.network import forward
from skdeep._core.pseudo_labels import PSEUDO_LABELS, multilabel_pseudo_labels
from skdeep._core.xp import in_library_of, is_numpy, numpy_dtype, to_numpy, xp_of
from skdeep._heads.fine_tuning import Targets
from skdeep._utils.callbacks import with_fit_tasks
from skdeep._utils.validation import (
    FLOATS,
    restore_on_error,
    same_library,
    small_products_on_one_thread,
    validate_data,
)

# Pseudo-labels are recomputed every this many epochs; with "network" (Lee,
# 2013) their weight ramps up linearly over the first 10 epochs, while
# propagated labels, from a network already fine-tuned on the labeled rows,
# count fully at once.
PSEUDO_LABEL_REFRESH = 5
PSEUDO_LABEL_RAMP = {"network": 10}

CLASSIFIER_PARAMETER_CONSTRAINTS = {
    "pseudo_labels": [StrOptions({"none", *PSEUDO_LABELS})],
    "pseudo_label_weight": [Interval(Real, 0, None, closed="left")],
    "pseudo_label_iter": [Interval(Integral, 0, None, closed="left")],
    "virtual_adversarial_epsilon": [Interval(Real, 0, None, closed="left")],
}


class ClassifierHeadMixin(ClassifierMixin):
    """Classification targets on top of :class:`FineTuningMixin`."""

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

        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels, or a label-indicator matrix (multi-label); rows
            equal to ``unlabeled_label`` are unlabeled.

        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each row in the fine-tuning loss; zero-weight rows
            take no part in training at all.

        Returns
        -------
        self : object
            The fitted classifier.
        """
        return self._fit(X, y, sample_weight)

    _needs_classes = True

    @_fit_context(prefer_skip_nested_validation=True)
    @restore_on_error
    @small_products_on_one_thread
    @with_fit_tasks
    def partial_fit(self, X, y, classes=None, sample_weight=None):
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

        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Its labels, or a label-indicator matrix.

        classes : array-like of shape (n_classes,), default=None
            Every class of the whole stream; required on the first call
            (for a label-indicator ``y``, its column indices), ignored
            after unless it differs.

        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each row in the fine-tuning loss.

        Returns
        -------
        self : object
            The classifier.
        """
        return self._fit(X, y, sample_weight, partial=True, classes=classes)

    def _validate_data_and_targets(self, X, y, continuing):
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse="csr",
            dtype=FLOATS,
            multi_output=True,
            reset=not continuing,
        )
        y = to_dense(y)
        if y.ndim == 2 and y.shape[1] == 1:
            warnings.warn(
                "A column-vector y was passed when a 1d array was expected. "
                "Please change the shape of y to (n_samples,), for example "
                "using ravel().",
                DataConversionWarning,
                stacklevel=4,
            )
            y = y.ravel()
        return X, y

    def _validate_targets(self, X, y, continuing, classes=None, weights=None):
        """Labeled rows, encoded targets and head; sets ``classes_``."""
        labeled = self._labeled_rows(y)
        y_labeled = y[labeled]
        check_classification_targets(y_labeled)
        kind = type_of_target(y_labeled)
        if kind == "multiclass-multioutput":
            raise ValueError(
                f"{type(self).__name__} takes binary, multiclass or multi-label "
                "targets (a 0/1 label-indicator matrix); got a multiclass-"
                f"multioutput y of shape {y.shape}. For several multiclass "
                "outputs wrap it in sklearn.multioutput.MultiOutputClassifier."
            )
        if kind == "multilabel-indicator":
            found = np.arange(y.shape[1])
            T, head = y_labeled.astype(numpy_dtype(X.dtype)), "sigmoid"
        else:
            found, y_index = np.unique(y_labeled, return_inverse=True)
            T, head = None, "softmax"
        known = self._known_classes(found, head, continuing, classes)
        if head == "softmax":
            if len(known) < 2:
                raise ValueError(
                    f"{type(self).__name__} needs at least 2 classes among the "
                    f"labeled rows; got 1 class: {known[0]!r}."
                )
            y_index = np.searchsorted(known, y_labeled)
            T = np.eye(len(known), dtype=numpy_dtype(X.dtype))[y_index]
        fitted = {
            "classes_": known,
            "output_activation_": head,
            "n_outputs_": T.shape[1],
        }
        return Targets(labeled, T, head, fitted)

    def _known_classes(self, found, head, continuing, classes):
        """The classes of this fit: those of ``y`` for a new fit; for
        ``partial_fit``, ``classes`` on the first call, the fitted ones
        after; for ``warm_start``, the fitted ones, which ``y`` must match."""
        name = type(self).__name__
        if continuing:
            same_head = head == self.output_activation_
            if not same_head or not np.isin(found, self.classes_).all():
                raise ValueError(
                    f"{name} was fitted with classes {list(self.classes_)} and "
                    f"{self.output_activation_} outputs; y has "
                    f"{list(found)} with {head} outputs. "
                    "Fit a new model (warm_start=False) for other classes."
                )
            if classes is not None and not np.array_equal(
                np.unique(classes), self.classes_
            ):
                raise ValueError(
                    f"classes={list(classes)} differs from the classes of the "
                    f"first partial_fit call, {list(self.classes_)}."
                )
            return self.classes_
        if classes is None:
            return found
        classes = np.unique(classes)
        if head == "sigmoid" and len(classes) != len(found):
            raise ValueError(
                f"classes has {len(classes)} entries; the label-indicator y "
                f"has {len(found)} columns."
            )
        if head == "softmax" and not np.isin(found, classes).all():
            raise ValueError(
                f"y has labels {sorted(set(found) - set(classes))} that are not "
                f"in classes={list(classes)}."
            )
        return found if head == "sigmoid" else classes

    def _check_warm_start_targets(self, y):
        """As in MLPClassifier: a ``warm_start`` refit needs y to hold the
        classes of the first fit, all of them (``partial_fit`` takes any
        subset)."""
        if self.output_activation_ != "softmax" or y.ndim != 1:
            return
        found = np.unique(y[self._labeled_rows(y)])
        if not np.array_equal(found, self.classes_):
            raise ValueError(
                "warm_start can only be used where `y` has the same classes as "
                f"in the previous call to fit. Previously got {self.classes_}, "
                f"`y` has {found}. Fit a new model (warm_start=False) for "
                "other classes."
            )

    def _labeled_rows(self, y):
        """Boolean mask of the rows whose label is not ``unlabeled_label``."""
        if self.unlabeled_label is None:
            return np.ones(len(y), dtype=bool)
        marker = self.unlabeled_label
        if y.ndim == 2:
            labeled = ~np.all(y == marker, axis=1)
        else:
            labeled = np.array([not _same_label(v, marker) for v in y], dtype=bool)
        if not labeled.any():
            raise ValueError(
                f"Every row of y is unlabeled (equal to unlabeled_label="
                f"{marker!r}); {type(self).__name__} needs labeled rows to "
                "fine-tune. For unsupervised pretraining alone use a transformer."
            )
        return labeled

    def _stratify(self, T):
        """Class of each row for a stratified split (None: multi-label)."""
        if self.output_activation_ != "softmax":
            return None
        return self.classes_[T.argmax(axis=1)]

    @staticmethod
    def _validation_scorer(A, T, layers):
        """params -> accuracy on the held-out rows A (exact match for
        multi-label targets, as ``score``)."""
        single_label = layers[-1].activation == "softmax"

        def accuracy(params):
            logits = to_numpy(forward(params, layers, A)[-1])
            if single_label:
                return float(np.mean(logits.argmax(axis=1) == T.argmax(axis=1)))
            return float(np.mean(np.all((logits > 0) == (T > 0.5), axis=1)))

        return accuracy

    @property
    def _uses_pseudo_labels(self):
        return self.pseudo_labels != "none" and self.pseudo_label_weight > 0

    def _pseudo_labeled_rows(self, labeled):
        """The unlabeled rows that fine-tuning trains on: with pseudo-labels,
        in the virtual adversarial term, or both."""
        if not self._uses_pseudo_labels and self.virtual_adversarial_epsilon == 0:
            return np.array([], dtype=int)
        return np.flatnonzero(~labeled)

    def _pseudo_label_phase(self, tuning, rows, T, weights, unlabeled, weights_u):
        """``pseudo_label_iter`` epochs on every row, the unlabeled ones with
        pseudo-labels (see ``skdeep._core.pseudo_labels``) refreshed every
        ``PSEUDO_LABEL_REFRESH`` epochs and weighted by their certainty (times
        their sample weight: ``weights`` of the labeled ``rows``,
        ``weights_u`` of the ``unlabeled`` ones). Without pseudo-labels
        (virtual adversarial training alone), the unlabeled rows have weight
        0 in the supervised loss and take part in the VAT term only; that
        term weighs every row by its sample weight alone."""
        n_labeled, n_outputs = len(rows), T.shape[1]
        all_rows = np.concatenate([rows, unlabeled])
        T_all = np.concatenate([T, np.zeros((len(unlabeled), n_outputs), T.dtype)])
        base = np.ones(len(all_rows))
        if weights is not None:
            base[:n_labeled] = weights
        if weights_u is not None:
            base[n_labeled:] = weights_u
        weighted = base.copy()
        before_epoch = None
        if self._uses_pseudo_labels:
            before_epoch = self._pseudo_label_refresh(
                tuning, all_rows, T_all, T, base, weighted
            )
        else:
            weighted[n_labeled:] = 0
        plain = weights is None and weights_u is None
        return self._run_fine_tuning(  # a fixed number of epochs: reaching
            tuning,  # it is no convergence failure
            all_rows,
            T_all,
            weighted,
            before_epoch,
            self.pseudo_label_iter,
            virtual_weights=None if plain else base,
            phase="pseudo-labels",
        )

    def _pseudo_label_refresh(self, tuning, all_rows, T_all, T, base, weighted):
        """before_epoch(epoch, params): the pseudo-labels of the rows after
        the labeled ones (T's) set in ``T_all``, their weights (``base``
        times certainty, ramped up) in ``weighted``."""
        n_labeled = len(T)
        ramp = PSEUDO_LABEL_RAMP.get(self.pseudo_labels, 1)
        sure = np.zeros(len(all_rows) - n_labeled)

        def before_epoch(epoch, params):
            if epoch % PSEUDO_LABEL_REFRESH == 0:
                codes, logits = self._codes_and_logits(tuning, params, all_rows)
                T_all[n_labeled:], sure[:] = self._pseudo_targets(
                    codes, logits, T, n_labeled
                )
            # Lee's ramp-up: the weight grows linearly over the first epochs
            scale = self.pseudo_label_weight * min(1.0, (epoch + 1) / ramp)
            weighted[n_labeled:] = base[n_labeled:] * scale * sure

        return before_epoch

    def _virtual_adversarial_epsilon(self):
        return self.virtual_adversarial_epsilon

    def _pseudo_targets(self, codes, logits, T, n_labeled):
        """Targets and certainties of the rows after the first ``n_labeled``."""
        n_unlabeled = len(codes) - n_labeled
        if self.output_activation_ == "softmax":
            seeds = np.concatenate([T.argmax(axis=1), np.full(n_unlabeled, -1)])
            source = PSEUDO_LABELS[self.pseudo_labels]
            labels, sure = source(codes, logits, seeds, T.shape[1])
            targets = np.eye(T.shape[1], dtype=T.dtype)[labels]
        else:
            seeds = np.vstack([T.astype(int), np.full((n_unlabeled, T.shape[1]), -1)])
            labels, sure = multilabel_pseudo_labels(
                self.pseudo_labels, codes, logits, seeds
            )
            targets = labels.astype(T.dtype)
        return targets[n_labeled:], sure[n_labeled:]

    def _logits(self, X):
        return self._output_logits(X)

    def predict_log_proba(self, X):
        """Log of the class probabilities, columns in ``classes_`` order.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data to classify.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            log p(class | x), computed stably from the output logits (for
            multi-label targets, log p(label j | x) of each label).
        """
        same_library(self, X, "predict_log_proba")
        return self._log_proba(X)

    def _log_proba(self, X):
        """predict_log_proba's work, X already checked against the fit."""
        logits = self._logits(X)
        if self.output_activation_ == "sigmoid":
            return -softplus(-logits)  # log sigma(z)
        return log_softmax(logits)

    def predict_proba(self, X):
        """Class probabilities (deterministic up-pass, then the output head).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data to classify.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            p(class | x), columns in ``classes_`` order (for multi-label
            targets, the probability of each label).
        """
        same_library(self, X, "predict_proba")
        log_proba = self._log_proba(X)
        return xp_of(log_proba).exp(log_proba)

    def predict(self, X):
        """Most probable class of each row (each label above 1/2 for
        multi-label targets).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data to classify.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_labels)
            Predicted labels, from ``classes_``, or the predicted
            label-indicator matrix.
        """
        same_library(self, X, "predict")
        logits = self._logits(X)
        xp = xp_of(logits)
        if self.output_activation_ == "sigmoid":
            return xp.astype(logits > 0, xp.int64)
        index = xp.argmax(logits, axis=1)
        classes = self.classes_
        if not is_numpy(classes):  # moved with the estimator (move_estimator_to)
            return xp.take(classes, index)
        if is_numpy(logits) or classes.dtype.kind not in "biuf":
            return classes[to_numpy(index)]  # string labels stay on the host
        return xp.take(in_library_of(classes, logits), index)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.array_api_support = True
        tags.classifier_tags.multi_label = True
        return tags


def _same_label(value, marker):
    """value == marker for labels of any type, without numpy's elementwise ==."""
    try:
        return bool(value == marker)
    except (TypeError, ValueError):
        return False
