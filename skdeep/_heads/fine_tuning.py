"""Supervised fine-tuning shared by every pretrained classifier and regressor.

How a stack is pretrained (RBMs or autoencoders) and what sits on top of it
(a softmax, sigmoids for multi-label targets, a linear output for
regression) are independent axes. A pretraining base class (``BaseDBN``,
``BaseSAE``) provides the stack through the abstract methods of
``skdeep._utils.mixins.PretrainedStackMixin``: ``_pretrain_stack``,
``_hidden_activation``, ``_input_preparation``, ``_top_codes`` and
``_batch_size``.

:class:`FineTuningMixin` adds an output layer and fine-tunes the network by
backprop with MLP-style stopping rules; :class:`ClassifierHeadMixin` and
:class:`RegressorHeadMixin` own the targets (the abstract methods of
:class:`FineTuningMixin`): their validation, encoding, output head and the
public ``fit`` / ``predict`` methods. What the "auto" settings resolve to
lives in ``skdeep._heads.settings``, one minibatch step in
``skdeep._heads.step``.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.model_selection import train_test_split
from sklearn.utils._param_validation import Interval, Options, StrOptions

from skdeep._core.arrays import (
    apply_in_chunks,
    gather_rows,
    rows_with_weight,
    to_dense,
    write_back,
)
from skdeep._core.fine_tune import fine_tune, loss_ceiling, merge_results
from skdeep._core.network import (
    Dense,
    constant_output_loss,
    forward,
    init_weights,
)
from skdeep._core.optim import Adam
from skdeep._core.xp import (
    as_float32,
    device_random,
    numpy_dtype,
    to_host,
    to_numpy,
    xp_of,
    zeros,
)
from skdeep._heads.settings import FineTuningSettingsMixin
from skdeep._heads.step import StepSettings, fine_tuning_step
from skdeep._utils.auto import resolve_auto, supervised_facts
from skdeep._utils.callbacks import weights_snapshot
from skdeep._utils.validation import (
    check_row_weights,
    make_rng,
    map_rows,
    streaming_state,
    validate_fitted_input,
)

FINE_TUNING_PARAMETER_CONSTRAINTS = {
    "fine_tuning": [StrOptions({"backprop", "none"})],
    "learning_rate_init": [
        Interval(Real, 0, None, closed="neither"),
        StrOptions({"auto"}),
    ],
    "max_iter": [Interval(Integral, 0, None, closed="left")],
    "dropout": [Interval(Real, 0, 1, closed="left"), StrOptions({"auto"})],
    "input_dropout": [Interval(Real, 0, 1, closed="left"), StrOptions({"auto"})],
    "adversarial_epsilon": [
        Interval(Real, 0, None, closed="left"),
        StrOptions({"auto"}),
    ],
    "early_stopping": ["boolean"],
    "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
    "n_iter_no_change": [
        Interval(Integral, 1, None, closed="left"),
        Options(Real, {np.inf}),
    ],
    "tol": [Interval(Real, 0, None, closed="left")],
    "weight_averaging": [Interval(Real, 0, 1, closed="left")],
    "warm_start": ["boolean"],
    "unlabeled_label": "no_validation",
}


def _backprop_network(stack, output, activation, head):
    """All layers trainable: the pretrained stack, then the output layer."""
    params, layers = [], []
    for W, b_hid in stack:
        layers.append(Dense(len(params), len(params) + 1, activation))
        params.extend([W, b_hid])
    layers.append(Dense(len(params), len(params) + 1, head))
    params.extend(output)
    return params, layers, True


def _output_only_network(stack, output, activation, head):
    """Only the output layer trainable, on the frozen stack's top codes."""
    return list(output), [Dense(0, 1, head)], False


# fine_tuning name -> builder of (params, layers, trains_stack). A network
# that does not train the stack takes the stack's frozen top codes as input.
FINE_TUNING = {"backprop": _backprop_network, "none": _output_only_network}


@dataclass
class Targets:
    """Fine-tuning targets: which rows are labeled, their encoded targets T
    (one row per labeled row), the output head they need, and the fitted
    attributes the encoding defines (``classes_``, ``target_mean_``, ...),
    which the estimator sets once the targets are valid."""

    labeled: np.ndarray
    T: np.ndarray
    head: str
    fitted: dict = field(default_factory=dict)


@dataclass
class Tuning:
    """What every fine-tuning phase shares: data, network and randomness."""

    X: object
    prepare: object
    layers: list
    params: list
    rng: object
    validation: object = None
    optimizer: object = None
    streaming: bool = False  # a partial_fit call
    snapshot: object = None  # params -> fitted attributes, for callbacks


class FineTuningMixin(FineTuningSettingsMixin, ABC):
    """Backprop fine-tuning of a pretrained stack with an output layer on top.

    The pretraining base provides the stack (see ``PretrainedStackMixin``);
    the target mixin (``ClassifierHeadMixin``, ``RegressorHeadMixin``) the
    abstract methods below.
    """

    @abstractmethod
    def _validate_data_and_targets(self, X, y, continuing):
        """(X, y) validated; y on the host."""

    @abstractmethod
    def _validate_targets(self, X, y, continuing, classes=None, weights=None):
        """The :class:`Targets` of y, without changing the estimator."""

    @abstractmethod
    def _stratify(self, T):
        """What to stratify the early-stopping split by (None: nothing)."""

    @abstractmethod
    def _validation_scorer(self, A, T, layers):
        """score(params) -> float of held-out rows A with targets T."""

    @abstractmethod
    def _pseudo_labeled_rows(self, labeled):
        """Indices of the rows that fine-tune with pseudo-labels."""

    def _pseudo_label_phase(self, tuning, rows, T, weights, unlabeled, weights_u):
        """Fine-tuning epochs with pseudo-labels for the ``unlabeled`` rows
        (None: no such phase, as for regression)."""
        return None

    def _check_warm_start_targets(self, y):
        """A ValueError when a ``warm_start`` refit's targets y do not match
        the fitted ones (beyond their shape, which ``_validate_targets``
        checks, nothing by default)."""
        return None

    def _fit(self, X, y, sample_weight=None, *, partial=False, classes=None):
        """Pretrain (unless going on from a fitted model), then fine-tune.

        ``partial``: one streaming call (``partial_fit``), going on from
        the previous ones: each of the first ``pretrain_iter`` calls trains
        one epoch of layer-wise pretraining on every row of X, and every
        call then trains one fine-tuning epoch on its labeled rows, so that
        the model predicts after each call.
        """
        continuing = (partial or self.warm_start) and self._can_continue()
        continuing |= partial and getattr(self, "_stream", None) is not None
        self._check_streaming(partial, continuing, classes)
        # targets and row weights stay on the host (numpy), X goes where it is
        X, y = self._validate_data_and_targets(X, to_host(y), continuing)
        if continuing and not partial:
            self._check_warm_start_targets(y)
        weights = check_row_weights(sample_weight, X)
        targets = self._validate_targets(X, y, continuing, classes, weights)
        weights = self._check_labeled_weights(weights, targets)
        self._set_targets(targets)
        resolve_auto(self, X, supervised_facts(self, X, targets, weights, partial))
        stream = streaming_state(self, continuing, X) if partial else None
        if stream is None:
            self._stream = None
            rng = device_random(make_rng(self.random_state), X)
            if not continuing:
                self._pretrain_rows(X, weights, targets, rng, None)
        else:
            rng = stream.rng
            self._stream_pretraining(X, weights, targets, stream)
        if not continuing:
            self._reset_fine_tuning()
        max_iter = 1 if partial else self.max_iter
        self._fine_tune(X, targets, weights, rng, continuing, max_iter, stream)
        return self

    def _check_streaming(self, partial, continuing, classes):
        """MLPClassifier's errors of a ``partial_fit`` call: early stopping
        on, or the first call of a classifier without ``classes``."""
        if partial and self.early_stopping:
            raise ValueError(
                "partial_fit does not support early_stopping=True, as in "
                "MLPClassifier: a chunk is one epoch's worth of updates, with "
                "nothing to hold out. Set early_stopping=False to stream."
            )
        if partial and classes is None and not continuing and self._needs_classes:
            raise ValueError(
                "classes must be passed on the first call to partial_fit: "
                "every class the stream will hold, e.g. classes=np.unique(y_all)."
            )

    def _stream_pretraining(self, X, weights, targets, stream):
        """The pretraining epoch of a ``partial_fit`` call, while the stream
        is young (a stack with no pretraining is only made), and the
        fine-tuning step that goes with it."""
        pretraining = _streaming_pretrains(stream, self.pretrain_iter)
        if pretraining or _stack_missing(stream):
            stream.epochs = int(pretraining)
            self._pretrain_rows(X, weights, targets, stream.rng, stream)
        stream.extra["learning rate"] = self._learning_rate(pretraining)

    def _pretrain_rows(self, X, weights, targets, rng, stream):
        """``_pretrain_stack`` on the rows of X with weight, told whether
        some of them are unlabeled (which changes the "auto" settings of DBN
        pretraining)."""
        unlabeled = ~targets.labeled
        if weights is not None:
            unlabeled &= weights > 0
        X = rows_with_weight(X, weights)
        self._pretrain_stack(X, rng, stream, semi_supervised=bool(unlabeled.any()))
        if stream is None:
            self._ready_for_backprop(X, rng)

    def _set_targets(self, targets):
        """Set the fitted attributes the target encoding defines."""
        for name, value in targets.fitted.items():
            setattr(self, name, value)

    _needs_classes = False

    def _can_continue(self):
        return hasattr(self, "output_coef_") and self.output_coef_ is not None

    def _reset_fine_tuning(self):
        self.output_coef_ = self.output_intercept_ = None
        self.loss_curve_, self.n_iter_ = [], 0

    @staticmethod
    def _check_labeled_weights(weights, targets):
        """The row weights, None when absent or all ones; an error when no
        labeled row has weight."""
        if weights is None:
            return None
        if not weights[targets.labeled].any():
            raise ValueError(
                "The sample weights of the labeled rows must contain at least "
                "one non-zero number: every labeled row has weight zero."
            )
        return None if np.all(weights == 1) else weights

    def _network(self, head, n_outputs, dtype, rng):
        """(params, layers, trains_stack): the fitted stack plus an output
        layer, new (Glorot) unless one was fitted before."""
        if self.output_coef_ is None:
            top = self.coefs_[-1]
            self.output_coef_ = init_weights(top.shape[1], n_outputs, rng, dtype, top)
            self.output_intercept_ = zeros(n_outputs, dtype, top)
        stack = list(zip(self.coefs_, self.intercepts_, strict=True))
        output = [self.output_coef_, self.output_intercept_]
        build = FINE_TUNING[self.fine_tuning]
        return build(stack, output, self._hidden_activation, head)

    def _fine_tune(self, X, targets, weights, rng, continuing, max_iter, stream):
        """Backprop on the labeled rows of X, then (classifiers, with
        pseudo-labels, outside ``partial_fit``) on every row; X is never
        copied."""
        T = targets.T
        params, layers, trains_stack = self._network(
            targets.head, T.shape[1], X.dtype, rng
        )
        prepare = self._input_preparation()
        rows = np.flatnonzero(targets.labeled)
        unlabeled = self._pseudo_labeled_rows(targets.labeled)
        if stream is not None:  # streaming: unlabeled rows only pretrain
            unlabeled = unlabeled[:0]
        weights_u = None if weights is None else weights[unlabeled]
        if not trains_stack:  # frozen stack: train on the top codes
            used = np.concatenate([rows, unlabeled])
            X = apply_in_chunks(
                self._top_codes, X, self.coefs_[-1].shape[1], X.dtype, used
            )
            rows, unlabeled = np.arange(len(rows)), np.arange(len(rows), len(used))
            prepare = None
        fitted = params
        if self._fine_tunes_in_float32(X, stream):
            params, prepare = [as_float32(p) for p in params], _then_float32(prepare)
        stopping = self.early_stopping  # never in partial_fit (see _fit)
        train, held_out = self._early_stopping_split(T, rng, stopping)
        tuning = Tuning(X, prepare, layers, params, rng)
        tuning.snapshot = weights_snapshot(self, fitted)
        if held_out is not None:
            A = gather_rows(X, rows[held_out], prepare)
            tuning.validation = self._validation_scorer(A, T[held_out], layers)
        w = None if weights is None else weights[rows[train]]
        if stream is not None:
            self._continue_stream(tuning, stream)
        run = dict(max_iter=max_iter, warn=max_iter > 1, virtual_weights=w)
        result = self._run_fine_tuning(tuning, rows[train], T[train], w, **run)
        if len(unlabeled):
            extra = self._pseudo_label_phase(
                tuning, rows[train], T[train], w, unlabeled, weights_u
            )
            result = result if extra is None else merge_results(result, extra)
        write_back(fitted, params)
        self._set_fine_tuned(result, continuing, stopping)

    def _continue_stream(self, tuning, stream):
        """A ``partial_fit`` call's tuning goes on with the stream's Adam
        (made on its first call) at the stream's learning rate."""
        tuning.streaming = True
        tuning.optimizer = stream.extra.setdefault(
            "fine-tuning", Adam(tuning.params, self._learning_rate())
        )
        tuning.optimizer.learning_rate = stream.extra["learning rate"]

    def _fine_tunes_in_float32(self, X, stream):
        """Whether fine-tuning on float64 X computes in float32: with
        adversarial moves (two passes a step, the moves signs of a gradient,
        the objective noisy far above float32's rounding), outside
        ``partial_fit`` (whose optimizer lives on between calls). The
        fitted weights keep X's dtype."""
        if stream is not None or numpy_dtype(X.dtype) != np.float64:
            return False
        return self._adversarial_epsilon(X.shape[1], sp.issparse(X)) > 0

    def _run_fine_tuning(
        self,
        tuning,
        rows,
        T,
        weights=None,
        before_epoch=None,
        max_iter=None,
        warn=False,
        virtual_weights=None,
        phase="fine-tuning",
    ):
        """fine_tune on ``rows`` of the tuning's X, targets T (row weights),
        for ``max_iter`` epochs; ``warn``: MLPClassifier's ConvergenceWarning
        when they run out. The rows' weights in the virtual adversarial term
        are ``virtual_weights`` (None: equal); ``phase`` names the run for
        the callbacks."""
        return fine_tune(
            self._fine_tuning_step(tuning, rows, T, weights, virtual_weights),
            tuning.params,
            tuning.optimizer or Adam(tuning.params, self._learning_rate()),
            n_samples=len(rows),
            max_iter=max_iter,
            batch_size=self._batch_size(len(rows), chunk=tuning.streaming),
            rng=tuning.rng,
            tol=self.tol,
            n_iter_no_change=self.n_iter_no_change,
            validation_score=tuning.validation,
            before_epoch=before_epoch,
            warn_at_max_iter=warn,
            averaging=self.weight_averaging,
            verbose=self.verbose,
            loss_ceiling=loss_ceiling(
                constant_output_loss(tuning.layers[-1].activation, T, weights)
            ),
            tasks=self._phase(phase, max_iter, tuning.snapshot),
        )

    def _fine_tuning_step(self, tuning, rows, T, weights=None, virtual_weights=None):
        """step(params, batch) -> (loss, grads) on one minibatch of ``rows``
        of the tuning's X, at this estimator's resolved settings (see
        ``skdeep._heads.step.fine_tuning_step``)."""
        n_features, sparse = tuning.X.shape[1], sp.issparse(tuning.X)
        settings = StepSettings(
            alpha=self.alpha,
            dropout=self._dropout(n_features, sparse),
            input_dropout=self._input_dropout(n_features),
            adversarial_epsilon=self._adversarial_epsilon(n_features, sparse),
            virtual_epsilon=self._virtual_adversarial_epsilon(),
        )
        return fine_tuning_step(tuning, rows, T, weights, virtual_weights, settings)

    def _early_stopping_split(self, T, rng, stopping):
        """Training rows and held-out rows (None without early stopping),
        stratified as in MLPClassifier, whose errors this split raises too."""
        rows = np.arange(len(T))
        if not stopping:
            return rows, None
        train, held_out = train_test_split(
            rows,
            test_size=self.validation_fraction,
            stratify=self._stratify(T),
            random_state=int(rng.integers(np.iinfo(np.int32).max)),
        )
        if len(held_out) < 2:
            raise ValueError(
                "The validation set is too small: early_stopping=True holds out "
                f"validation_fraction={self.validation_fraction} of the labeled "
                f"rows, {len(held_out)} of {len(rows)}, and needs at least 2. "
                "Increase validation_fraction, pass more labeled rows, or set "
                "early_stopping=False."
            )
        return train, held_out

    def _set_fine_tuned(self, result, continuing, stopping):
        previous = self.loss_curve_ if continuing else []
        self.loss_curve_ = previous + result.loss_curve
        # as in MLPClassifier: the epochs of this call; the curve goes on
        self.n_iter_ = len(result.loss_curve)
        self.best_loss_ = None if stopping else min(self.loss_curve_, default=None)
        self.validation_scores_ = result.validation_scores if stopping else None
        self.best_validation_score_ = result.best_validation_score if stopping else None

    def _output_logits(self, X):
        """Output-layer logits of the rows of X (validated against the fit)."""
        X = validate_fitted_input(self, X)

        def logits(X_chunk):
            return self._top_codes(X_chunk) @ self.output_coef_ + self.output_intercept_

        return map_rows(logits, self, X, self.n_outputs_)

    def _codes_and_logits(self, tuning, params, rows):
        """The top hidden codes and the output logits of X[rows]."""
        layers, prepare = tuning.layers, tuning.prepare or (lambda A: A)
        n_top, n_outputs = params[layers[-1].weight].shape

        def codes_and_logits(A):
            codes, logits = forward(params, layers, to_dense(prepare(A)))[-2:]
            return xp_of(codes).concat([codes, logits], axis=1)

        out = to_numpy(
            apply_in_chunks(
                codes_and_logits, tuning.X, n_top + n_outputs, params[0].dtype, rows
            )
        )
        return out[:, :n_top], out[:, n_top:]


def _streaming_pretrains(stream, pretrain_iter):
    """Whether this ``partial_fit`` call pretrains (counting it) before its
    fine-tuning epoch: the first ``pretrain_iter`` calls do, unless the
    stream goes on from ``fit``."""
    if stream is None or stream.pretraining_calls is None:
        return False
    if stream.pretraining_calls >= pretrain_iter:
        return False
    stream.pretraining_calls += 1
    return True


def _stack_missing(stream):
    return stream is not None and not stream.layers


def _then_float32(prepare):
    """The input preparation ``prepare`` (None: none), then float32."""
    if prepare is None:
        return as_float32
    return lambda A: as_float32(prepare(A))
