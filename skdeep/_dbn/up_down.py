"""The generative up-down classifier of Hinton, Osindero & Teh (2006), which
``DBNClassifier(fine_tuning="up-down")`` delegates to.

The labels live in the top RBM: its visible layer is the codes of the layer
below plus a softmax label group. After greedy pretraining (the top RBM on
the labeled rows with their labels), up-down epochs untie the lower layers
into recognition and generative weights (``_core.wake_sleep``); unlabeled
rows take the model's current p(y | x) as their label units. Prediction
compares the top RBM's free energy for each label; ``sample`` clamps a label
and runs the top RBM's Gibbs chain, then the generative down-pass.
"""

import numpy as np

from skdeep._core.activations import log_softmax
from skdeep._core.arrays import to_dense
from skdeep._core.rbm import clamped_label_chain
from skdeep._core.wake_sleep import label_logits, split_params
from skdeep._core.xp import asarray, device_random, take_rows, to_host, to_numpy
from skdeep._utils.auto import facts_of, resolve_auto
from skdeep._utils.validation import check_positive_int, make_rng, map_rows

# The "auto" settings of up-down. Its RBMs and passes are the model itself,
# not a start for backprop: every layer pretrains to the cap (pretrain_tol
# 0), minibatches are n_samples // 50 within [64, 512] (50 per epoch), and
# the up-down updates are SGD steps of 0.03 with the RBMs' momentum.
AUTO = {"pretrain_tol": 0.0, "batch": (64, 512, 50), "learning_rate": 0.03}


def fit(estimator, X, y, sample_weight, partial):
    """Validate, then fit ``estimator`` by greedy pretraining with labels in
    the top RBM and ``max_iter`` up-down epochs; returns it."""
    if partial:
        raise ValueError(
            'fine_tuning="up-down" has no partial_fit; use "backprop" or '
            '"none" to train on a stream of chunks.'
        )
    X, y = estimator._validate_data_and_targets(X, to_host(y), continuing=False)
    estimator._refuse_rectified(X, 'fine_tuning="up-down"')
    targets = estimator._validate_targets(X, y, continuing=False)
    if targets.head != "softmax":
        raise ValueError(
            'fine_tuning="up-down" takes single-label classes; use '
            '"backprop" for a label-indicator y.'
        )
    if sample_weight is not None:
        raise ValueError(
            'fine_tuning="up-down" does not take sample_weight; use '
            '"backprop" or "none".'
        )
    estimator._set_targets(targets)
    resolve_auto(estimator, X, facts_of(X))
    rng = device_random(make_rng(estimator.random_state), X)
    _train(estimator, X, targets.labeled, targets.T, rng)
    return estimator


def _train(estimator, X, labeled, Y, rng):
    """Label-aware top RBM, then up-down epochs over every row."""
    n_classes = len(estimator.classes_)
    top_labels = (np.flatnonzero(labeled), asarray(Y, X))
    pretrained = estimator._pretrain(X, rng, top_labels=top_labels)
    estimator._set_pretrained(pretrained)
    _split_label_units(estimator, n_classes)
    Y_all = np.zeros((X.shape[0], n_classes), dtype=Y.dtype)  # on the host
    Y_all[labeled] = Y

    def labels(rows, V, params):
        clamped = Y_all[rows]
        free = np.flatnonzero(~labeled[rows])
        if len(free):  # unlabeled rows: the model's current p(y | x)
            log_proba = _log_proba(take_rows(V, free), params, estimator)
            clamped[free] = np.exp(to_numpy(log_proba))
        return asarray(clamped, V)

    params, curve = estimator._wake_sleep(
        X, pretrained.stack, rng, estimator.max_iter, estimator._learning_rate(), labels
    )
    estimator._set_untied(params)
    estimator.output_coef_ = estimator.output_intercept_ = None
    estimator.output_activation_, estimator.n_outputs_ = "softmax", n_classes
    estimator.loss_curve_, estimator.n_iter_ = curve, len(curve)
    estimator.best_loss_ = min(curve) if curve else None
    estimator.validation_scores_ = estimator.best_validation_score_ = None


def _split_label_units(estimator, n_classes):
    """Views of the joint top RBM: its input part and its label part."""
    W, b = estimator.coefs_[-1], estimator.visible_intercepts_[-1]
    n_main = W.shape[0] - n_classes
    estimator._top_weights, estimator._top_visible_bias = W, b
    estimator.coefs_[-1] = W[:n_main, :]
    estimator.visible_intercepts_[-1] = b[:n_main]
    estimator.generative_coefs_[-1] = W[:n_main, :].T
    estimator.label_coef_, estimator.label_intercept_ = W[n_main:, :], b[n_main:]


def logits(estimator, X):
    """The label logits of validated X: minus each label's free energy in
    the top RBM, up to a constant."""

    def chunk_logits(X_chunk):
        return label_logits(
            to_dense(estimator._prepare_visibles(X_chunk)),
            list(zip(estimator.coefs_[:-1], estimator.intercepts_[:-1], strict=True)),
            [
                estimator._top_weights,
                estimator.intercepts_[-1],
                estimator._top_visible_bias,
            ],
            estimator.visible_units_,
        )

    return map_rows(chunk_logits, estimator, X, len(estimator.classes_))


def sample(estimator, y, n_gibbs_steps, random_state):
    """One generated input row per label of ``y`` (see
    ``DBNClassifier.sample``)."""
    y = np.asarray(y)
    unknown = set(np.unique(y)) - set(estimator.classes_)
    if y.ndim != 1 or unknown:
        raise ValueError(
            f"y must be a 1-D array of labels from classes_ "
            f"{list(estimator.classes_)}; got "
            f"{sorted(unknown) if unknown else y.shape}."
        )
    n_steps = check_positive_int(n_gibbs_steps, "n_gibbs_steps")
    W = estimator._top_weights
    rng = device_random(make_rng(random_state), W)
    Y = np.eye(len(estimator.classes_))[np.searchsorted(estimator.classes_, y)]
    n_layers = len(estimator.coefs_)
    top = clamped_label_chain(
        asarray(Y, W),
        W,
        estimator.intercepts_[-1],
        estimator._top_visible_bias,
        estimator.visible_units_ if n_layers == 1 else "bernoulli",
        n_steps,
        rng,
    )
    return estimator._down_pass(top, top=n_layers - 1)


def _log_proba(V, params, estimator):
    """log p(y | x) of a model under up-down training (flat parameters)."""
    layers = split_params(params)
    logits_ = label_logits(V, layers.recognition, layers.top, estimator.visible_units_)
    return log_softmax(logits_)
