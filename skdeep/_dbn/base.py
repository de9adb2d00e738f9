"""What the three DBN estimators share: parameter constraints, greedy RBM
pretraining and the deterministic up- and down-passes."""

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
    data_buffer,
    mean_hiddens,
    mean_visibles,
    pseudo_log_likelihood,
)
from skdeep._core.wake_sleep import split_params, untie, wake_sleep_gradients
from skdeep._core.xp import (
    asarray,
    copy,
    take_rows,
    to_numpy,
    xp_of,
    zeros,
)
from skdeep._dbn.units import AUTO_RECTIFIED_SLOWDOWN, HiddenUnitsMixin
from skdeep._utils.auto import batch_sizes
from skdeep._utils.mixins import PretrainedStackMixin
from skdeep._utils.validation import (
    check_hidden_layer_sizes,
    resolve_batch_size,
    resolve_for_range,
)

# The pseudo-likelihood is monitored on this many rows of each layer's input,
# flipping this many of its visible units (a scaled, unbiased estimate).
_MONITOR_ROWS = 100
_MONITOR_FEATURES = 32

# batch_size="auto": n_samples // 20 within [64, 512] (see resolve_batch_size):
# fewer, larger minibatches than the autoencoder's, at no loss of accuracy
# (the user guide's hyperparameter page has the measurements behind every
# default here).
AUTO_BATCH = (64, 512, 20)  # smallest, largest, minibatches per epoch

# pretrain_tol="auto": the plateau rule's tolerance (the generative up-down
# classifier has its own "auto" settings: see skdeep._dbn.up_down).
AUTO_PRETRAIN_TOL = 0.05
# pretrain_tol="auto" when some rows are unlabeled (unlabeled_label): with
# few labels the unlabeled rows are most of what the model learns from, and
# a stricter plateau pays its extra epochs.
AUTO_PRETRAIN_TOL_SEMI_SUPERVISED = 0.01

# pretrain_learning_rate="auto", per visible type. A Gaussian layer (on
# standardized real-valued inputs) learns slowly and its reconstruction error
# flattens early: with pretrain_tol="auto" it trains all pretrain_iter epochs.
AUTO_LEARNING_RATES = {"bernoulli": 0.1, "gaussian": 0.02}
# ... and above this many hidden units the Gaussian rate shrinks as
# AUTO_GAUSSIAN_HIDDEN / n_hidden: its linear reconstruction sums over the
# hidden units, so one step moves it in proportion to their number (0.02
# diverged in the first epoch of standardized MNIST with 500 units).
AUTO_GAUSSIAN_HIDDEN = 256

DBN_PARAMETER_CONSTRAINTS = {
    "hidden_layer_sizes": [Interval(Integral, 1, None, closed="left"), "array-like"],
    "visible_units": [StrOptions({"auto", "bernoulli", "gaussian"})],
    "hidden_units": [StrOptions({"auto", "bernoulli", "relu"})],
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


Pretrained = namedtuple(
    "Pretrained",
    ["stack", "histories", "visible_units", "hidden_units", "mean", "scale"],
)


def init_rbm(inputs, n_hidden, visible_units, labels, rng, standardized=True):
    """``[W, b_hid, b_vis]`` of a new RBM, in the dtype of ``inputs``.

    W Glorot-uniform, b_hid zero, b_vis at the data mean seen through the
    visible output (zero for Gaussian visibles the layer standardizes, the
    column means for the rectified codes an upper Gaussian layer models)
    and, for a label group, at the log class frequencies.
    """
    n_visible, dtype = inputs.shape[1], inputs.dtype
    if visible_units == "bernoulli" or not standardized:
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


class BaseDBN(HiddenUnitsMixin, PretrainedStackMixin, BaseEstimator):
    """Greedy RBM pretraining and inference shared by the DBN estimators."""

    _parameter_constraints: dict = dict(DBN_PARAMETER_CONSTRAINTS)

    def _pretrain_stack(self, X, rng, stream=None, *, semi_supervised=False):
        """Greedy pretraining on every row of X (with a ``Stream``: one epoch
        per layer, going on from the stream's state); sets the pretraining
        attributes and returns the stack, one ``[W, b_hid, b_vis]`` per RBM."""
        going_on = stream is not None and len(stream.layers) > 0
        curves = going_on and (
            self.pretrain_loss_curves_,
            self.pseudo_likelihood_curves_,
        )
        pretrained = self._pretrain(
            X, rng, stream=stream, semi_supervised=semi_supervised
        )
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
        stream.extra["hidden_units"] = self.hidden_units_
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

    def _pretrain(self, X, rng, top_labels=None, stream=None, semi_supervised=False):
        """Greedy CD/PCD pretraining of the RBM stack on every row of X.

        ``top_labels = (rows, Y)``: the top RBM also models a softmax label
        group, on those rows. With a ``Stream``, every RBM trains one epoch
        from the stream's state (units and standardization: its first
        chunk's). ``semi_supervised``: see ``_pretrain_tol``."""
        sizes = check_hidden_layer_sizes(self.hidden_layer_sizes)
        visible_units, mean, scale = self._visible_layer(X, stream)
        hidden_units = self._hidden_units_of(visible_units, X.shape[1], stream)
        batch_size = self._batch_size(X.shape[0], chunk=stream is not None)

        def prepare(k):
            """How layer k's RBM sees its inputs (None: as they are)."""
            if k == 0 and mean is not None:
                return lambda A: standardize(A, mean, scale)
            return None

        def fit_layer(k, inputs):
            units = self._layer_units(k, visible_units, hidden_units)
            label = f"pretraining layer {k + 1}/{len(sizes)} "
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
                self._pretrain_tol(semi_supervised, units if k == 0 else "bernoulli"),
                hidden_units,
            )

        def propagate(k, layer, inputs):
            prep = prepare(k) or (lambda A: A)
            return apply_in_chunks(
                lambda A: mean_hiddens(prep(A), layer[0], layer[1], None, hidden_units),
                inputs,
                sizes[k],
                X.dtype,
            )

        stack, histories = pretrain_greedy(X, len(sizes), fit_layer, propagate)
        return Pretrained(stack, histories, visible_units, hidden_units, mean, scale)

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
        tol=0.0,
        hidden_units="bernoulli",
    ):
        """One RBM trained by CD-k or PCD-k with SGD and momentum.

        ``labels = (rows, Y)`` trains on ``inputs[rows]`` only, with a softmax
        label group (one-hot ``Y``, one row per row) added to the visible layer.
        ``streaming = (stream, k)``: one epoch of the stream's layer k.
        ``tol``: the plateau rule's tolerance (see ``run_epochs``).
        ``hidden_units``: "bernoulli" or "relu".
        """
        rows, Y = (None, None) if labels is None else labels
        n_labels = 0 if Y is None else Y.shape[1]

        def create():
            standardized = prepare is not None  # the bottom layer's own scaling
            params = init_rbm(inputs, n_hidden, visible_units, Y, rng, standardized)
            return params, SGD(params, 1.0, self.momentum)

        params, optimizer, n_epochs = layer_to_train(
            streaming, create, self.pretrain_iter
        )
        # the learning rate is folded into the CD products: SGD then scales
        # nothing, which spares it a pass over the weights per minibatch
        learning_rate = self._rbm_learning_rate(visible_units, n_hidden, hidden_units)
        units = visible_units, hidden_units
        step = self._cd_step(inputs, rows, Y, prepare, units, rng, learning_rate)
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
                inputs, units, prepare, rng, n_labels
            )
            if n_epochs
            else None,
            names=("reconstruction error", "pseudo-log-likelihood"),
            tol=tol,
            tasks=self._phase(label.strip().removeprefix("pretraining "), n_epochs),
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
            tasks=self._phase("wake-sleep" if labels is None else "up-down", n_epochs),
        )
        return params, history.loss

    def _cd_step(self, inputs, rows, Y, prepare, units, rng, scale):
        """step(params, batch) -> (reconstruction error, CD/PCD gradients
        times ``scale``) on ``inputs[rows]`` (every row when None), with the
        one-hot label rows ``Y`` when given; ``units``: the visible and
        hidden units."""
        n_labels = 0 if Y is None else Y.shape[1]
        visible_units, hidden_units = units
        chain = [None]  # where a persistent chain stopped
        workspace = Workspace(like=inputs)

        def step(params, batch):
            picked = batch if rows is None else rows[batch]
            out = None  # or where cd_gradient stacks the data rows:
            if workspace.enabled and prepare is None and not n_labels:
                out = data_buffer(workspace, len(picked), params[0], chain[0])
            V0 = gather_rows(inputs, picked, prepare, workspace, out)
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
                hidden_units=hidden_units,
            )
            if self.persistent:  # kept out of the workspace's reused buffers
                chain[0] = copy(chain_end)
            return error, grads

        return step

    def _batch_size(self, n_samples, chunk=False):
        """batch_size, "auto" resolved as n_samples // 20 within [64, 512]."""
        return resolve_batch_size(self.batch_size, n_samples, *AUTO_BATCH, chunk=chunk)

    def _auto_pretraining(self, X, sizes, facts):
        """The pretraining settings of ``auto_params_`` (see
        ``skdeep._utils.auto``), and whether the input is real-valued."""
        stream = getattr(self, "_stream", None)
        if stream is not None and "visible_units" in stream.extra:
            units = stream.extra["visible_units"][0]
        else:
            units = self._resolve_visible_units(X)
        hidden = self._hidden_units_of(units, X.shape[1], stream, keep=False)
        layers = [self._layer_units(k, units, hidden) for k in range(len(sizes))]
        resolved = {
            "visible_units": units,
            "hidden_units": hidden,
            "pretrain_learning_rate": [
                self._rbm_learning_rate(u, n, hidden)
                for u, n in zip(layers, sizes, strict=True)
            ],
            "pretrain_tol": [
                self._pretrain_tol(facts.semi_supervised, u if k == 0 else "bernoulli")
                for k, u in enumerate(layers)
            ],
            "batch_size": batch_sizes(self, facts, fine_tunes=False),
        }
        return resolved, layers[0] == "gaussian"

    def _pretrain_tol(self, semi_supervised=False, visible_units="bernoulli"):
        """pretrain_tol of an RBM with these visibles, "auto" resolved (see
        AUTO_PRETRAIN_TOL and AUTO_LEARNING_RATES): 0 for a Gaussian layer
        on standardized inputs (the bottom one; the Gaussian layers above
        rectified units follow the plateau rule), the semi-supervised
        tolerance when a fit has unlabeled rows."""
        if self.pretrain_tol != "auto":
            return self.pretrain_tol
        if visible_units == "gaussian":
            return 0.0
        if semi_supervised:
            return AUTO_PRETRAIN_TOL_SEMI_SUPERVISED
        return AUTO_PRETRAIN_TOL

    def _rbm_learning_rate(self, visible_units, n_hidden, hidden_units="bernoulli"):
        if self.pretrain_learning_rate != "auto":
            return self.pretrain_learning_rate
        rate = AUTO_LEARNING_RATES[visible_units]
        if hidden_units == "relu":
            rate /= AUTO_RECTIFIED_SLOWDOWN
        if visible_units == "gaussian":
            rate *= min(1.0, AUTO_GAUSSIAN_HIDDEN / n_hidden)
        return rate

    @staticmethod
    def _pseudo_likelihood_monitor(inputs, units, prepare, rng, n_labels):
        """Mean pseudo-log-likelihood on fixed rows and units (None when it
        does not apply: Gaussian visibles or a label group); ``units``: the
        visible and hidden units."""
        visible_units, hidden_units = units
        if visible_units != "bernoulli" or n_labels:
            return None
        n_rows = min(_MONITOR_ROWS, inputs.shape[0])
        rows = np.sort(rng.choice(inputs.shape[0], n_rows, replace=False))
        n_features = min(_MONITOR_FEATURES, inputs.shape[1])
        features = np.sort(rng.choice(inputs.shape[1], n_features, replace=False))
        V = gather_rows(inputs, rows, prepare)
        return lambda params: float(
            xp_of(V).mean(pseudo_log_likelihood(V, *params, features, hidden_units))
        )

    def _set_pretrained(self, pretrained):
        stack = pretrained.stack
        self.coefs_ = [layer[0] for layer in stack]
        self.intercepts_ = [layer[1] for layer in stack]
        self.visible_intercepts_ = [layer[2] for layer in stack]
        self.generative_coefs_ = [layer[0].T for layer in stack]
        self.visible_units_ = pretrained.visible_units
        self.hidden_units_ = pretrained.hidden_units
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
            A = mean_hiddens(A, W, b_hid, None, self.hidden_units_)
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
            units = self._layer_units(k, self.visible_units_, self.hidden_units_)
            G, b = self.generative_coefs_[k], self.visible_intercepts_[k]
            H = mean_visibles(H, G.T, b, units)
        if self.mean_ is not None:
            H = H * self.scale_ + self.mean_
        return H
