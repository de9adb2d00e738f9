"""What DBNTransformer and DBNClassifier share: parameters, their documentation,
greedy RBM pretraining and the deterministic up- and down-passes."""

from collections import namedtuple
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import Interval, StrOptions

from skdeep._core.arrays import (
    Workspace,
    apply_in_chunks,
    column_means,
    gather_rows,
    standardization,
    standardize,
    to_dense,
)
from skdeep._core.loops import (
    extend_curves,
    layer_to_train,
    pretrain_greedy,
    run_epochs,
)
from skdeep._core.network import init_visible_bias, init_weights
from skdeep._core.optim import SGD
from skdeep._core.rbm import (
    VISIBLE_OUTPUT,
    cd_gradient,
    mean_hiddens,
    mean_visibles,
    pseudo_log_likelihood,
)
from skdeep._core.wake_sleep import split_params, untie, wake_sleep_gradients
from skdeep._core.xp import asarray, copy, take_rows, to_numpy, xp_of, zeros
from skdeep._utils.mixins import (
    PretrainedStackMixin,
)
from skdeep._utils.validation import (
    check_hidden_layer_sizes,
    resolve_batch_size,
    resolve_for_range,
)

# The pseudo-likelihood is monitored on this many rows of each layer's input,
# flipping this many of its visible units (a scaled, unbiased estimate).
_MONITOR_ROWS = 100
_MONITOR_FEATURES = 32

# batch_size="auto": n_samples // 20 within [64, 512] (see resolve_batch_size).
# 20 minibatches per epoch (not the autoencoder's 50) from 1280 rows on: on
# 3500 MNIST rows, 175-row minibatches fit a DBNClassifier((500, 500)) in
# half the time of 70-row ones at no loss of accuracy.
AUTO_BATCH = (64, 512, 20)  # smallest, largest, minibatches per epoch
# The generative up-down classifier keeps 50 minibatches per epoch (64 rows
# on digits): its RBMs and wake-sleep passes are the model itself, not a
# start for backprop, and on digits 71-row minibatches cost it 0.20 point
# (0.9284 against 0.9304, mean of 5 seeds; benchmarks/bench_seeds.py).
AUTO_BATCH_GENERATIVE = (64, 512, 50)

# pretrain_tol="auto": the plateau rule's tolerance (0, every epoch, for the
# generative up-down classifier: see DBNClassifier._pretrain_tol).
AUTO_PRETRAIN_TOL = 0.05
# pretrain_tol="auto" when some rows are unlabeled (unlabeled_label): with
# few labels the unlabeled rows are most of what the model learns from, and
# a stricter plateau paid its extra epochs. Mean of model seeds 0 to 2 on
# MNIST dev, 1% / 2% / 5% / 10% of the labels: 0.709 / 0.870 / 0.907 / 0.924
# at 0.05, 0.720 / 0.870 / 0.914 / 0.929 at 0.01 (in 1.2x to 1.4x the fit
# time), 0.721 / 0.866 / 0.920 / 0.931 at 0 (2x); digits with 10% of the
# labels, seeds 0 to 4: 0.9488, 0.9495, 0.9507.
AUTO_PRETRAIN_TOL_SEMI_SUPERVISED = 0.01

# pretrain_learning_rate="auto", per visible type.
AUTO_LEARNING_RATES = {"bernoulli": 0.1, "gaussian": 0.005}

DBN_PARAMETER_CONSTRAINTS = {
    "hidden_layer_sizes": [Interval(Integral, 1, None, closed="left"), "array-like"],
    "visible_units": [StrOptions({"auto", "bernoulli", "gaussian"})],
    "n_gibbs_steps": [Interval(Integral, 1, None, closed="left")],
    "persistent": ["boolean"],
    "pretrain_learning_rate": [
        Interval(Real, 0, None, closed="neither"),
        StrOptions({"auto"}),
    ],
    "pretrain_iter": [Interval(Integral, 0, None, closed="left")],
    "pretrain_tol": [Interval(Real, 0, None, closed="left"), StrOptions({"auto"})],
    "momentum": [Interval(Real, 0, 1, closed="both")],
    "alpha": [Interval(Real, 0, None, closed="left")],
    "sparsity_target": [Interval(Real, 0, 1, closed="neither")],
    "sparsity_weight": [Interval(Real, 0, None, closed="left")],
    "batch_size": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
    "random_state": ["random_state"],
    "verbose": ["verbose"],
}

DBN_PARAMETERS_DOC = """\
    hidden_layer_sizes : tuple of int, default=(256,)
        Hidden units of each RBM, bottom to top; its length is the depth.

    visible_units : {"auto", "bernoulli", "gaussian"}, default="auto"
        Visible units of the bottom RBM. "bernoulli" needs inputs in [0, 1]
        (probabilities or binary data). "gaussian" takes any real values: the
        data are standardized internally (``mean_``, ``scale_``), so unscaled
        input is fine; ``inverse_transform`` and ``sample`` undo it. "auto"
        picks "bernoulli" when every training value lies in [0, 1] and
        "gaussian" otherwise. Higher RBMs always have Bernoulli visibles.

    n_gibbs_steps : int, default=1
        Gibbs steps k of the negative phase of CD-k (or PCD-k).

    persistent : bool, default=False
        Use persistent contrastive divergence: the negative-phase chains
        continue across minibatches instead of restarting at the data.

    pretrain_learning_rate : float or "auto", default="auto"
        Step size of the SGD-with-momentum updates of pretraining. "auto"
        uses 0.1 for RBMs with Bernoulli visibles and 0.005 for the Gaussian
        one, whose unbounded visibles need a much smaller step (Hinton's
        practical guide, section 13.2).

    pretrain_iter : int, default=50
        Most epochs of pretraining per RBM; 0 skips pretraining (random
        weights), so that what pretraining buys can be measured. The
        plateau rule (``pretrain_tol``) stops most layers long before: after
        7 to 12 epochs on MNIST, digits, diabetes and Auto MPG. On small
        tables, where an epoch is a few minibatches, the cap decides: the
        first layer on wine (142 rows, 3 minibatches per epoch) ran all 20
        epochs of a cap of 20, and a cap of 50 moved the 5-fold accuracy
        from 0.9764 to 0.9808 (mean of seeds 0 to 4).

    pretrain_tol : float or "auto", default="auto"
        A layer's pretraining stops early once two epochs in a row each
        lower its loss (the reconstruction error) by less than
        ``pretrain_tol`` times its first epoch's gain (the drop from epoch
        1 to epoch 2), which makes the rule free of the loss's scale and
        floor; ``pretrain_iter`` caps the epochs. 0 runs every layer for
        ``pretrain_iter`` epochs. "auto" is 0.05; 0.01 while some rows are
        unlabeled (``unlabeled_label``), where the unlabeled rows are most of
        what the model learns from (on MNIST with 1% to 10% of the labels it
        gained 0.0 to 1.1 points, mean of three seeds); and 0 for
        ``DBNClassifier(fine_tuning="up-down")``, a generative model that
        wants its RBMs trained to the end. ``pretrain_n_iter_`` tells how
        many ran.

    momentum : float, default=0.9
        Momentum of the pretraining updates.

    alpha : float, default=1e-5
        L2 weight decay: (alpha / 2) ||W||^2 per sample is added to the
        objective, in pretraining and in fine-tuning. (MLPClassifier divides
        its alpha by the batch size: its 1e-4 at batch 200 is 5e-7 here.)

    sparsity_target : float, default=0.1
        Target mean activation rho of each hidden unit.

    sparsity_weight : float, default=0.0
        Weight beta of the penalty beta * sum_j KL(rho || q_j), q_j the mean
        of p(h_j = 1 | v) over a minibatch; 0 turns sparsity off.

    batch_size : int or "auto", default="auto"
        Minibatch size. "auto" uses n_samples // 20 clipped to [64, 512]:
        64 on small tables, 71 on a digits training fold (1437 rows), 175
        on 3500 rows, 512 from 10240 rows on, where larger products run
        near the machine's matrix-multiply peak.

    random_state : int, RandomState instance or None, default=None
        Seeds initialisation, shuffling and Gibbs sampling. Pass an int for
        bit-identical models across calls.

    verbose : int, default=0
        Print one line per layer and epoch: reconstruction error, the
        pseudo-log-likelihood (Bernoulli visibles) and elapsed time.
"""

DBN_ATTRIBUTES_DOC = """\
    coefs_ : list of ndarray of shape (n_in_k, n_out_k)
        Weights of each layer, bottom to top.

    intercepts_ : list of ndarray of shape (n_out_k,)
        Hidden biases of each layer.

    visible_intercepts_ : list of ndarray of shape (n_in_k,)
        Visible (generative) biases of each layer.

    generative_coefs_ : list of ndarray of shape (n_out_k, n_in_k)
        Top-down weights of each layer, used by the down-pass: views of
        ``coefs_[k].T`` for a greedy stack, separate weights below the top
        RBM after wake-sleep or up-down fine-tuning.

    visible_units_ : str
        Visible units of the bottom RBM, "bernoulli" or "gaussian".

    mean_ : ndarray of shape (n_features,) or None
        Mean used to standardize Gaussian visibles (None for Bernoulli).

    scale_ : ndarray of shape (n_features,) or None
        Standard deviation used to standardize Gaussian visibles (None for
        Bernoulli).

    pretrain_loss_curves_ : list of list of float
        Reconstruction error (squared error summed over features, averaged
        over rows) of each RBM, one value per epoch.

    pretrain_n_iter_ : list of int
        Epochs each layer's pretraining ran (fewer than ``pretrain_iter``
        when ``pretrain_tol`` stopped it).

    pseudo_likelihood_curves_ : list of list of float
        Mean pseudo-log-likelihood per row of each RBM with Bernoulli
        visibles after every epoch, estimated on up to 100 training rows by
        flipping up to 32 fixed visible units (empty for a Gaussian RBM).

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (n_features,)
        Names of features seen during fit, when X has string column names.
"""

Pretrained = namedtuple(
    "Pretrained", ["stack", "histories", "visible_units", "mean", "scale"]
)


def init_rbm(inputs, n_hidden, visible_units, labels, rng):
    """``[W, b_hid, b_vis]`` of a new RBM, in the dtype of ``inputs``.

    W Glorot-uniform, b_hid zero, b_vis at the data mean seen through the
    visible output (zero for standardized Gaussian visibles) and, for a label
    group, at the log class frequencies.
    """
    n_visible, dtype = inputs.shape[1], inputs.dtype
    if visible_units == "bernoulli":
        visible_mean = column_means(inputs)
    else:
        visible_mean = np.zeros(n_visible)
    bias = init_visible_bias(visible_mean, VISIBLE_OUTPUT[visible_units], np.float64)
    n_labels = 0 if labels is None else labels.shape[1]
    if n_labels:
        frequencies = to_numpy(labels).mean(axis=0)
        bias = np.concatenate([bias, np.log(frequencies + 1e-3)])
    return [
        init_weights(n_visible + n_labels, n_hidden, rng, dtype, inputs),
        zeros(n_hidden, dtype, inputs),
        asarray(bias, inputs, dtype),
    ]


class BaseDBN(PretrainedStackMixin, BaseEstimator):
    """Greedy RBM pretraining and inference shared by the DBN estimators."""

    _parameter_constraints: dict = dict(DBN_PARAMETER_CONSTRAINTS)

    _hidden_activation = "sigmoid"

    def _pretrain_stack(self, X, rng, stream=None):
        """Greedy pretraining on every row of X (with a ``Stream``: one epoch
        per layer, going on from the stream's state); sets the pretraining
        attributes and returns the stack, one ``[W, b_hid, b_vis]`` per RBM."""
        going_on = stream is not None and len(stream.layers) > 0
        curves = going_on and (
            self.pretrain_loss_curves_,
            self.pseudo_likelihood_curves_,
        )
        pretrained = self._pretrain(X, rng, stream=stream)
        self._set_pretrained(pretrained)
        if going_on:
            self.pretrain_loss_curves_ = extend_curves(
                curves[0], self.pretrain_loss_curves_
            )
            self.pseudo_likelihood_curves_ = extend_curves(
                curves[1], self.pseudo_likelihood_curves_
            )
        return pretrained.stack

    def _seed_stream(self, stream):
        """A stream that goes on from the fitted RBMs (fresh momentum)."""
        stream.extra["visible_units"] = self.visible_units_, self.mean_, self.scale_
        for layer in zip(
            self.coefs_, self.intercepts_, self.visible_intercepts_, strict=True
        ):
            params = list(layer)
            stream.layers.append((params, SGD(params, 1.0, self.momentum)))

    def _input_preparation(self):
        """Standardization for Gaussian visibles, None for Bernoulli ones."""
        return None if self.mean_ is None else self._prepare_visibles

    def _top_codes(self, X):
        return self._up_pass(X)

    def _resolve_visible_units(self, X):
        return resolve_for_range(
            X, "visible_units", self.visible_units, "bernoulli", "gaussian"
        )

    def _pretrain(self, X, rng, top_labels=None, stream=None):
        """Greedy CD/PCD pretraining of the RBM stack on every row of X.

        ``top_labels = (rows, Y)`` makes the top RBM a joint model of the
        codes below it and a softmax label group, trained on those rows.
        With a ``Stream``, every RBM trains one epoch, going on from the
        stream's state; the visible units and the standardization come from
        the stream's first chunk.
        """
        sizes = check_hidden_layer_sizes(self.hidden_layer_sizes)
        visible_units, mean, scale = self._visible_layer(X, stream)
        batch_size = self._batch_size(X.shape[0])

        def prepare(k):
            """How layer k's RBM sees its inputs (None: as they are)."""
            if k == 0 and mean is not None:
                return lambda A: standardize(A, mean, scale)
            return None

        def fit_layer(k, inputs):
            units = visible_units if k == 0 else "bernoulli"
            label = f"layer {k + 1}/{len(sizes)} "
            labels = top_labels if k == len(sizes) - 1 else None
            return self._fit_rbm(
                inputs,
                sizes[k],
                units,
                prepare(k),
                batch_size,
                rng,
                label,
                labels,
                None if stream is None else (stream, k),
            )

        def propagate(k, layer, inputs):
            prep = prepare(k) or (lambda A: A)
            return apply_in_chunks(
                lambda A: mean_hiddens(prep(A), layer[0], layer[1]),
                inputs,
                sizes[k],
                X.dtype,
            )

        stack, histories = pretrain_greedy(X, len(sizes), fit_layer, propagate)
        return Pretrained(stack, histories, visible_units, mean, scale)

    def _visible_layer(self, X, stream):
        """Visible units of the bottom RBM and, for Gaussian ones, the mean
        and scale that standardize X (from a stream's first chunk)."""
        if stream is not None and "visible_units" in stream.extra:
            return stream.extra["visible_units"]
        visible_units = self._resolve_visible_units(X)
        mean, scale = (
            standardization(X) if visible_units == "gaussian" else (None, None)
        )
        if stream is not None:
            stream.extra["visible_units"] = visible_units, mean, scale
        return visible_units, mean, scale

    def _fit_rbm(
        self,
        inputs,
        n_hidden,
        visible_units,
        prepare,
        batch_size,
        rng,
        label,
        labels=None,
        streaming=None,
    ):
        """One RBM trained by CD-k or PCD-k with SGD and momentum.

        ``labels = (rows, Y)`` trains on ``inputs[rows]`` only, with a softmax
        label group (one-hot ``Y``, one row per row) added to the visible layer.
        ``streaming = (stream, k)``: one epoch of the stream's layer k.
        """
        rows, Y = (None, None) if labels is None else labels
        n_labels = 0 if Y is None else Y.shape[1]

        def create():
            params = init_rbm(inputs, n_hidden, visible_units, Y, rng)
            return params, SGD(params, 1.0, self.momentum)

        params, optimizer, n_epochs = layer_to_train(
            streaming, create, self.pretrain_iter
        )
        # the learning rate is folded into the CD products: SGD then scales
        # nothing, which spares it a pass over the weights per minibatch
        learning_rate = self._rbm_learning_rate(visible_units)
        step = self._cd_step(
            inputs, rows, Y, prepare, visible_units, rng, learning_rate
        )
        history = run_epochs(
            step,
            params,
            optimizer,
            n_samples=inputs.shape[0] if rows is None else len(rows),
            n_epochs=n_epochs,
            batch_size=batch_size,
            rng=rng,
            label=label,
            verbose=self.verbose,
            monitor=self._pseudo_likelihood_monitor(
                inputs, visible_units, prepare, rng, n_labels
            )
            if n_epochs
            else None,
            names=("reconstruction error", "pseudo-log-likelihood"),
            tol=self._pretrain_tol(),
        )
        return params, history

    def _wake_sleep(self, X, stack, rng, n_epochs, learning_rate, labels=None):
        """Wake-sleep (or up-down, with ``labels``) epochs; returns the flat
        untied parameters and the error per epoch.

        ``labels(rows, V) -> array`` gives the label units clamped for the rows
        of a minibatch (V is their prepared input).
        """
        params = untie(stack)
        visible_units = self.visible_units_

        def step(params, batch):
            V = to_dense(self._prepare_visibles(take_rows(X, batch)))
            grads, error = wake_sleep_gradients(
                V,
                params,
                visible_units=visible_units,
                n_gibbs_steps=self.n_gibbs_steps,
                rng=rng,
                alpha=self.alpha,
                labels=None if labels is None else labels(batch, V, params),
            )
            return error, grads

        history = run_epochs(
            step,
            params,
            SGD(params, learning_rate, self.momentum),
            n_samples=X.shape[0],
            n_epochs=n_epochs,
            batch_size=self._batch_size(X.shape[0]),
            rng=rng,
            label="wake-sleep " if labels is None else "up-down ",
            verbose=self.verbose,
            names=("error", ""),
        )
        return params, history.loss

    def _cd_step(self, inputs, rows, Y, prepare, visible_units, rng, scale):
        """step(params, batch) -> (reconstruction error, CD/PCD gradients
        times ``scale``) on ``inputs[rows]`` (every row when None), with the
        one-hot label rows ``Y`` when given."""
        n_labels = 0 if Y is None else Y.shape[1]
        chain = [None]  # where a persistent chain stopped
        workspace = Workspace(like=inputs)

        def step(params, batch):
            V0 = gather_rows(
                inputs, batch if rows is None else rows[batch], prepare, workspace
            )
            if n_labels:
                V0 = xp_of(V0).concat([V0, take_rows(Y, batch)], axis=1)
            grads, error, chain_end, _ = cd_gradient(
                V0,
                params,
                visible_units=visible_units,
                n_gibbs_steps=self.n_gibbs_steps,
                rng=rng,
                chain=chain[0],
                sparsity_target=self.sparsity_target,
                sparsity_weight=self.sparsity_weight,
                alpha=self.alpha,
                n_labels=n_labels,
                workspace=workspace,
                scale=scale,
            )
            if self.persistent:  # kept out of the workspace's reused buffers
                chain[0] = copy(chain_end)
            return error, grads

        return step

    def _batch_size(self, n_samples):
        """batch_size, "auto" resolved as n_samples // 20 within [64, 512]."""
        return resolve_batch_size(self.batch_size, n_samples, *AUTO_BATCH)

    def _pretrain_tol(self):
        """pretrain_tol, "auto" resolved (see AUTO_PRETRAIN_TOL): the
        semi-supervised tolerance while a fit has unlabeled rows."""
        if self.pretrain_tol != "auto":
            return self.pretrain_tol
        if getattr(self, "_has_unlabeled_rows", False):
            return AUTO_PRETRAIN_TOL_SEMI_SUPERVISED
        return AUTO_PRETRAIN_TOL

    def _rbm_learning_rate(self, visible_units):
        if self.pretrain_learning_rate == "auto":
            return AUTO_LEARNING_RATES[visible_units]
        return self.pretrain_learning_rate

    @staticmethod
    def _pseudo_likelihood_monitor(inputs, visible_units, prepare, rng, n_labels):
        """Mean pseudo-log-likelihood on fixed rows and units (None when it
        does not apply: Gaussian visibles or a label group)."""
        if visible_units != "bernoulli" or n_labels:
            return None
        n_rows = min(_MONITOR_ROWS, inputs.shape[0])
        rows = np.sort(rng.choice(inputs.shape[0], n_rows, replace=False))
        n_features = min(_MONITOR_FEATURES, inputs.shape[1])
        features = np.sort(rng.choice(inputs.shape[1], n_features, replace=False))
        V = gather_rows(inputs, rows, prepare)
        return lambda params: float(
            xp_of(V).mean(pseudo_log_likelihood(V, *params, features=features))
        )

    def _set_pretrained(self, pretrained):
        stack = pretrained.stack
        self.coefs_ = [layer[0] for layer in stack]
        self.intercepts_ = [layer[1] for layer in stack]
        self.visible_intercepts_ = [layer[2] for layer in stack]
        self.generative_coefs_ = [layer[0].T for layer in stack]
        self.visible_units_ = pretrained.visible_units
        self.mean_ = pretrained.mean
        self.scale_ = pretrained.scale
        self.pretrain_loss_curves_ = [h.loss for h in pretrained.histories]
        self.pseudo_likelihood_curves_ = [h.monitor for h in pretrained.histories]

    def _prepare_visibles(self, X):
        """X as the bottom RBM sees it: standardized for Gaussian visibles."""
        if self.mean_ is None:
            return X
        return standardize(X, self.mean_, self.scale_)

    def _up_pass(self, X):
        """Deterministic mean-field codes of every layer, bottom to top."""
        A = self._prepare_visibles(X)
        for W, b_hid in zip(self.coefs_, self.intercepts_, strict=True):
            A = mean_hiddens(A, W, b_hid)
        return A

    def _set_untied(self, params):
        """Fitted weights from flat wake-sleep parameters (see _wake_sleep)."""
        layers = split_params(params)
        lower = range(len(layers.recognition))
        for k, (R, c), (G, b) in zip(
            lower, layers.recognition, layers.generative, strict=True
        ):
            self.coefs_[k], self.intercepts_[k] = R, c
            self.generative_coefs_[k], self.visible_intercepts_[k] = G, b

    def _down_pass(self, H, top=None):
        """Deterministic mean-field down-pass from the codes of layer ``top``.

        Uses the generative weights; ``top`` defaults to the top layer.
        """
        top = len(self.coefs_) if top is None else top
        for k in range(top - 1, -1, -1):
            units = self.visible_units_ if k == 0 else "bernoulli"
            G, b = self.generative_coefs_[k], self.visible_intercepts_[k]
            H = mean_visibles(H, G.T, b, units)
        if self.mean_ is not None:
            H = H * self.scale_ + self.mean_
        return H
