"""What the stacked-autoencoder estimators share: parameters, their
documentation, greedy layer-wise pretraining and the encoder and decoder
passes."""

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
from skdeep._utils.mixins import (
    PretrainedStackMixin,
)
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
    "sparsity_target": [Interval(Real, 0, 1, closed="neither"), StrOptions({"auto"})],
    "sparsity_weight": [Interval(Real, 0, None, closed="left")],
    "alpha": [Interval(Real, 0, None, closed="left")],
    "corruption": [Interval(Real, 0, 1, closed="left")],
    "tied_weights": ["boolean"],
    "solver": [StrOptions({"adam", "sgd"})],
    "pretrain_iter": [Interval(Integral, 0, None, closed="left")],
    "pretrain_tol": [Interval(Real, 0, None, closed="left")],
    "momentum": [Interval(Real, 0, 1, closed="both")],
    "batch_size": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
    "random_state": ["random_state"],
    "verbose": ["verbose"],
}

SAE_PARAMETERS_DOC = """\
    hidden_layer_sizes : tuple of int, default=(256,)
        Units per hidden layer, bottom to top; its length is the depth.

    activation : {"sigmoid", "tanh", "relu"}, default="relu"
        Activation of every hidden layer. "sigmoid" is the classic sparse
        autoencoder; "relu" gave the best digits features in our runs.

    decoder : {"auto", "sigmoid", "identity"}, default="auto"
        Output function and loss of the first layer's decoder. "sigmoid" pairs
        a sigmoid output with cross-entropy and needs inputs in [0, 1];
        "identity" pairs a linear output with squared error for real-valued
        inputs, which are standardized inside (``mean_``, ``scale_``), so
        unscaled input is fine; "auto" picks "sigmoid" when every training
        value lies in [0, 1] and "identity" otherwise. Higher layers
        reconstruct codes: with sigmoid hidden units their decoder is
        "sigmoid", otherwise "identity".

    sparsity_target : float or "auto", default="auto"
        Target mean activity rho of each hidden unit, in (0, 1). The activity
        of a sigmoid unit is its activation, of a tanh unit (h + 1) / 2 and of
        a relu unit 1 - exp(-h), so for every activation rho is the fraction
        of the time a unit should be "on". "auto" is 0.05 for layers of 100
        units or more and aims at 5 active units per row in narrower ones:
        rho = min(0.25, max(0.05, 5 / n_hidden)) for each layer (a small rho
        starves a narrow layer: with 16 units and rho = 0.05 the probe on
        digits fell from 0.95 to 0.63).

    sparsity_weight : float, default=3.0
        Weight beta of the penalty beta * sum_j KL(rho || rho_hat_j) during
        pretraining. 0 turns sparsity off. 3 (with ``corruption=0.3``) gave
        the best LogisticRegression probe on MNIST with 10% of the labels
        and stayed within 0.5 point of the best on digits (see the user
        guide's hyperparameter page).

    alpha : float, default=1e-4
        L2 weight decay: (alpha / 2) * ||W||^2 is added to the loss per
        sample, in pretraining and fine-tuning.

    corruption : float, default=0.3
        Fraction of input entries set to zero at random in every minibatch
        of pretraining (denoising autoencoder, Vincent et al. 2008); the
        clean input stays the target; 0 turns the noise off. Applies to the
        input of every layer.

    tied_weights : bool, default=True
        Whether each decoder uses the transpose of its encoder's weights.

    solver : {"adam", "sgd"}, default="adam"
        Minibatch optimizer of pretraining: Adam, or SGD with ``momentum``.

    pretrain_iter : int, default=20
        Most epochs of greedy pretraining per layer; 0 skips pretraining
        (the layers keep their random initial weights).

    pretrain_tol : float, default=0.01
        A layer's pretraining stops early once two epochs in a row each
        lower its loss (reconstruction loss plus penalties) by less than
        ``pretrain_tol`` times its first epoch's gain (the drop from epoch
        1 to epoch 2), which makes the rule free of the loss's scale and
        floor; ``pretrain_iter`` caps the epochs. 0 runs every layer for
        ``pretrain_iter`` epochs. ``pretrain_n_iter_`` tells how many ran.
        On MNIST the (500,) layer's LogisticRegression probe with 10% of
        the labels was 0.8833 after the 9 epochs of 0.05 (the DBN's
        default), 0.8907 after the 16 of 0.01 and 0.8887 after all 20.
"""

SAE_COMMON_PARAMETERS_DOC = """\
    momentum : float, default=0.9
        Momentum of the "sgd" solver.

    batch_size : int or "auto", default="auto"
        Minibatch size. "auto" uses n_samples // 50 clipped to [128, 256]:
        128 on small data such as digits, 256 from 12800 rows on, where
        larger products run near the machine's matrix-multiply peak.

    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling, masking noise and dropout.
        Pass an int for bit-identical models across calls.

    verbose : int, default=0
        Print one line per layer and epoch with the loss and elapsed time.
"""

SAE_ATTRIBUTES_DOC = """\
    coefs_ : list of ndarray of shape (n_in_k, n_out_k)
        Encoder weights of each layer, bottom to top.

    intercepts_ : list of ndarray of shape (n_out_k,)
        Hidden biases of each layer.

    decoder_coefs_ : list of ndarray of shape (n_out_k, n_in_k)
        Decoder weights of each layer (views of ``coefs_[k].T`` when tied).

    decoder_intercepts_ : list of ndarray of shape (n_in_k,)
        Visible (reconstruction) biases of each layer.

    decoders_ : list of str
        Decoder output function of each layer, "sigmoid" or "identity".

    mean_ : ndarray of shape (n_features,) or None
        Mean used to standardize real-valued inputs (a linear first decoder)
        before the first layer; None for inputs in [0, 1].

    scale_ : ndarray of shape (n_features,) or None
        Standard deviation used to standardize real-valued inputs (constant
        columns get 1); None for inputs in [0, 1].

    pretrain_loss_curves_ : list of list of float
        Mean pretraining loss per sample of each layer, one value per epoch.

    pretrain_n_iter_ : list of int
        Epochs each layer's pretraining ran (fewer than ``pretrain_iter``
        when ``pretrain_tol`` stopped it).

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (n_features,)
        Names of features seen during fit, when X has string column names.
"""


class BaseSAE(PretrainedStackMixin, BaseEstimator):
    """Greedy autoencoder pretraining and the encoder / decoder passes.

    Subclasses name the pretraining step size in ``_pretrain_learning_rate``.
    """

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

    def _batch_size(self, n_samples):
        """batch_size, "auto" resolved as n_samples // 50 within [128, 256]."""
        return resolve_batch_size(self.batch_size, n_samples)

    def _decoders(self, X, n_layers):
        first = resolve_for_range(X, "decoder", self.decoder, "sigmoid", "identity")
        upper = "sigmoid" if self.activation == "sigmoid" else "identity"
        return [first] + [upper] * (n_layers - 1)

    def _sparsity_target(self, n_hidden):
        """sparsity_target, "auto" resolved as min(0.25, max(0.05, 5 / n))."""
        if self.sparsity_target == "auto":
            smallest, largest = AUTO_SPARSITY_RANGE
            return min(largest, max(smallest, AUTO_ACTIVE_UNITS / n_hidden))
        return self.sparsity_target

    def _pretrain_stack(self, X, rng, stream=None):
        """Greedy pretraining on every row of X (with a ``Stream``: one epoch
        per layer, going on from the stream's state; the decoders come from
        its first chunk); sets the pretraining attributes and returns the
        stack, one ``[W, b_hid, b_vis(, W_dec)]`` per layer."""
        sizes = check_hidden_layer_sizes(self.hidden_layer_sizes)
        going_on = stream is not None and len(stream.layers) > 0
        decoders, mean, scale = self._input_settings(X, len(sizes), stream)
        prepare = None if mean is None else (lambda A: standardize(A, mean, scale))
        batch_size = self._batch_size(X.shape[0])
        curves = going_on and self.pretrain_loss_curves_

        def fit_layer(k, inputs):
            layer = (stream, k) if stream is not None else None
            return self._pretrain_layer(
                k,
                inputs,
                sizes,
                decoders[k],
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
                (params, self._optimizer(params, self._pretrain_learning_rate))
            )

    def _pretrain_layer(
        self, k, inputs, sizes, decoder, batch_size, rng, streaming, prepare=None
    ):
        """Layer k trained on ``prepare(inputs)`` for ``pretrain_iter`` epochs
        (with ``streaming = (stream, k)``: the stream's layer k, for its
        epochs)."""

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
            return params, self._optimizer(params, self._pretrain_learning_rate)

        params, optimizer, n_epochs = layer_to_train(
            streaming, create, self.pretrain_iter
        )

        history = run_epochs(
            self._layer_step(
                inputs, decoder, self._sparsity_target(sizes[k]), rng, prepare
            ),
            params,
            optimizer,
            n_samples=inputs.shape[0],
            n_epochs=n_epochs,
            batch_size=batch_size,
            rng=rng,
            label=f"layer {k + 1}/{len(sizes)} ",
            verbose=self.verbose,
            tol=self.pretrain_tol,
        )
        return params, history.loss

    def _layer_step(self, inputs, decoder, sparsity_target, rng, prepare=None):
        """step(params, batch) -> (loss, grads) of one autoencoder layer on a
        minibatch of ``prepare(inputs)``, its input corrupted by masking
        noise."""

        def step(params, batch):
            X_batch = gather_rows(inputs, batch, prepare)
            return layer_loss_and_gradient(
                params,
                X_batch,
                activation=self.activation,
                decoder=decoder,
                sparsity_target=sparsity_target,
                sparsity_weight=self.sparsity_weight,
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
