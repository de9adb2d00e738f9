"""What the stacked-autoencoder estimators share: parameter constraints,
greedy layer-wise pretraining, the encoder and decoder passes, and the
supervised base of the classifier and regressor."""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import Interval, StrOptions

from skdeep._core.arrays import (
    apply_in_chunks,
    column_means,
    gather_rows,
    standardization,
    standardize,
)
from skdeep._core.autoencoder import (
    corrupt,
    decode,
    encode,
    init_layer,
    layer_loss_and_gradient,
)
from skdeep._core.loops import (
    extend_curves,
    layer_to_train,
    pretrain_greedy,
    run_epochs,
)
from skdeep._core.optim import make_optimizer
from skdeep._heads.fine_tuning import (
    FINE_TUNING_PARAMETER_CONSTRAINTS,
    FineTuningMixin,
)
from skdeep._utils.auto import batch_sizes
from skdeep._utils.mixins import PretrainedStackMixin
from skdeep._utils.validation import (
    check_hidden_layer_sizes,
    resolve_batch_size,
    resolve_for_range,
)

# sparsity_target="auto": at least this many active units per row, within
# this range of targets.
AUTO_ACTIVE_UNITS = 5
AUTO_SPARSITY_RANGE = (0.05, 0.25)

SAE_PARAMETER_CONSTRAINTS = {
    "hidden_layer_sizes": [Interval(Integral, 1, None, closed="left"), "array-like"],
    "activation": [StrOptions({"sigmoid", "tanh", "relu"})],
    "decoder": [StrOptions({"auto", "sigmoid", "identity"})],
    "sparsity_target": [
        Interval(Real, 0, 1, closed="neither"),
        StrOptions({"auto"}),
        None,
    ],
    "sparsity_weight": [Interval(Real, 0, None, closed="left")],
    "alpha": [Interval(Real, 0, None, closed="left")],
    "corruption": [Interval(Real, 0, 1, closed="left")],
    "tied_weights": ["boolean"],
    "solver": [StrOptions({"adam", "sgd"})],
    "pretrain_learning_rate": [Interval(Real, 0, None, closed="neither")],
    "pretrain_iter": [Interval(Integral, 0, None, closed="left")],
    "pretrain_tol": [Interval(Real, 0, None, closed="left")],
    "momentum": [Interval(Real, 0, 1, closed="both")],
    "batch_size": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
    "random_state": ["random_state"],
    "verbose": ["verbose"],
}


class BaseSAE(PretrainedStackMixin, BaseEstimator):
    """Greedy autoencoder pretraining and the encoder / decoder passes."""

    _parameter_constraints: dict = dict(SAE_PARAMETER_CONSTRAINTS)

    @property
    def _hidden_activation(self):
        return self.activation

    def _input_preparation(self):
        """Standardization for real-valued inputs (a linear first decoder),
        None for inputs in [0, 1]."""
        if self.mean_ is None:
            return None
        return lambda A: standardize(A, self.mean_, self.scale_)

    def _batch_size(self, n_samples, chunk=False):
        """batch_size, "auto" resolved as n_samples // 50 within [128, 256]."""
        return resolve_batch_size(self.batch_size, n_samples, chunk=chunk)

    def _decoders(self, X, n_layers):
        first = resolve_for_range(X, "decoder", self.decoder, "sigmoid", "identity")
        upper = "sigmoid" if self.activation == "sigmoid" else "identity"
        return [first] + [upper] * (n_layers - 1)

    def _auto_pretraining(self, X, sizes, facts):
        """The pretraining settings of ``auto_params_`` (see
        ``skdeep._utils.auto``), and whether the input is real-valued."""
        stream = getattr(self, "_stream", None)
        if stream is not None and "inputs" in stream.extra:
            first = stream.extra["inputs"][0][0]
        else:
            first = self._decoders(X, len(sizes))[0]
        resolved = {
            "decoder": first,
            "sparsity_target": [
                self._sparsity_target(n, first == "identity") for n in sizes
            ],
            "batch_size": batch_sizes(self, facts, fine_tunes=False),
        }
        return resolved, first == "identity"

    # sparsity_target="auto" on real-valued inputs: the rule for images, or
    # no target (the regressor's, where a smooth target is read off the codes)
    _sparsity_on_real_values = True

    def _sparsity_target(self, n_hidden, real_valued):
        """sparsity_target, "auto" resolved as min(0.25, max(0.05, 5 / n)),
        or None (no sparsity penalty) for a regressor's layers over
        real-valued inputs."""
        if self.sparsity_target != "auto":
            return self.sparsity_target
        if real_valued and not self._sparsity_on_real_values:
            return None
        smallest, largest = AUTO_SPARSITY_RANGE
        return min(largest, max(smallest, AUTO_ACTIVE_UNITS / n_hidden))

    def _pretrain_stack(self, X, rng, stream=None, *, semi_supervised=False):
        """Greedy pretraining on every row of X (with a ``Stream``: one epoch
        per layer, going on from the stream's state; the decoders come from
        its first chunk); sets the pretraining attributes and returns the
        stack, one ``[W, b_hid, b_vis(, W_dec)]`` per layer. Unlabeled rows
        (``semi_supervised``) change nothing here."""
        sizes = check_hidden_layer_sizes(self.hidden_layer_sizes)
        going_on = stream is not None and len(stream.layers) > 0
        decoders, mean, scale = self._input_settings(X, len(sizes), stream)
        prepare = None if mean is None else (lambda A: standardize(A, mean, scale))
        batch_size = self._batch_size(X.shape[0], chunk=stream is not None)
        curves = going_on and self.pretrain_loss_curves_

        def fit_layer(k, inputs):
            layer = (stream, k) if stream is not None else None
            return self._pretrain_layer(
                k,
                inputs,
                sizes,
                decoders,
                batch_size,
                rng,
                layer,
                prepare if k == 0 else None,
            )

        def propagate(k, layer, inputs):
            prep = prepare if k == 0 and prepare is not None else (lambda A: A)
            return apply_in_chunks(
                lambda A: encode(prep(A), layer[0], layer[1], self.activation),
                inputs,
                sizes[k],
                X.dtype,
            )

        stack, new_curves = pretrain_greedy(X, len(sizes), fit_layer, propagate)
        if going_on:
            new_curves = extend_curves(curves, new_curves)
        self._set_pretrained(stack, decoders, new_curves)
        self.mean_, self.scale_ = mean, scale
        return stack

    def _input_settings(self, X, n_layers, stream):
        """Decoders of the layers and, for a linear first decoder (real
        values), the mean and scale that standardize X: from the stream's
        first chunk when streaming."""
        if stream is not None and "inputs" in stream.extra:
            return stream.extra["inputs"]
        decoders = self._decoders(X, n_layers)
        mean, scale = standardization(X) if decoders[0] == "identity" else (None, None)
        if stream is not None:
            stream.extra["inputs"] = decoders, mean, scale
        return decoders, mean, scale

    def _seed_stream(self, stream):
        """A stream that goes on from the fitted layers (fresh optimizers)."""
        stream.extra["inputs"] = list(self.decoders_), self.mean_, self.scale_
        for k, (W, b_hid, b_vis) in enumerate(
            zip(self.coefs_, self.intercepts_, self.decoder_intercepts_, strict=True)
        ):
            params = [W, b_hid, b_vis]
            if not self.tied_weights:
                params.append(self.decoder_coefs_[k])
            stream.layers.append(
                (params, self._optimizer(params, self.pretrain_learning_rate))
            )

    def _pretrain_layer(
        self, k, inputs, sizes, decoders, batch_size, rng, streaming, prepare=None
    ):
        """Layer k trained on ``prepare(inputs)`` for ``pretrain_iter`` epochs
        (with ``streaming = (stream, k)``: the stream's layer k, for its
        epochs); ``decoders``: every layer's."""
        decoder = decoders[k]
        sparsity_target = self._sparsity_target(sizes[k], decoders[0] == "identity")

        def create():
            params = init_layer(
                inputs.shape[1],
                sizes[k],
                tied=self.tied_weights,
                decoder=decoder,
                visible_mean=np.zeros(inputs.shape[1])
                if prepare is not None  # standardized inputs
                else column_means(inputs),
                rng=rng,
                dtype=inputs.dtype,
                like=inputs,
            )
            return params, self._optimizer(params, self.pretrain_learning_rate)

        params, optimizer, n_epochs = layer_to_train(
            streaming, create, self.pretrain_iter
        )

        history = run_epochs(
            self._layer_step(inputs, decoder, sparsity_target, rng, prepare),
            params,
            optimizer,
            n_samples=inputs.shape[0],
            n_epochs=n_epochs,
            batch_size=batch_size,
            rng=rng,
            label=f"pretraining layer {k + 1}/{len(sizes)} ",
            verbose=self.verbose,
            tol=self.pretrain_tol,
            tasks=self._phase(f"layer {k + 1}/{len(sizes)}", n_epochs),
        )
        return params, history.loss

    def _layer_step(self, inputs, decoder, sparsity_target, rng, prepare=None):
        """step(params, batch) -> (loss, grads) of one autoencoder layer on a
        minibatch of ``prepare(inputs)``, its input corrupted by masking
        noise (``sparsity_target`` None: no sparsity penalty)."""
        weight = 0.0 if sparsity_target is None else self.sparsity_weight

        def step(params, batch):
            X_batch = gather_rows(inputs, batch, prepare)
            return layer_loss_and_gradient(
                params,
                X_batch,
                activation=self.activation,
                decoder=decoder,
                sparsity_target=sparsity_target,
                sparsity_weight=weight,
                alpha=self.alpha,
                X_input=corrupt(X_batch, self.corruption, rng),
            )

        return step

    def _optimizer(self, params, learning_rate):
        return make_optimizer(self.solver, params, learning_rate, self.momentum)

    def _set_pretrained(self, stack, decoders, curves):
        self.coefs_ = [layer[0] for layer in stack]
        self.intercepts_ = [layer[1] for layer in stack]
        self.decoder_intercepts_ = [layer[2] for layer in stack]
        self.decoder_coefs_ = [
            layer[0].T if len(layer) == 3 else layer[3] for layer in stack
        ]
        self.decoders_ = list(decoders)
        self.pretrain_loss_curves_ = curves

    def _top_codes(self, X):
        """Top-layer codes of X (deterministic encoder pass)."""
        if self.mean_ is not None:
            X = standardize(X, self.mean_, self.scale_)
        for W, b in zip(self.coefs_, self.intercepts_, strict=True):
            X = encode(X, W, b, self.activation)
        return X

    def _decode_stack(self, H):
        for k in range(len(self.coefs_) - 1, -1, -1):
            H = decode(
                H,
                self.decoder_coefs_[k],
                self.decoder_intercepts_[k],
                self.decoders_[k],
            )
        if self.mean_ is not None:
            H = H * self.scale_ + self.mean_
        return H


class SupervisedSAE(FineTuningMixin, BaseSAE):
    """Autoencoder pretraining under a fine-tuned output layer."""

    _parameter_constraints: dict = {
        **BaseSAE._parameter_constraints,
        **FINE_TUNING_PARAMETER_CONSTRAINTS,
    }
