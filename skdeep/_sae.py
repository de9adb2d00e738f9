"""StackedAutoencoderTransformer: greedy layer-wise sparse autoencoders."""

from numbers import Integral, Real

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import validate_data

from skdeep._autoencoder import (
    corrupt,
    decode,
    encode,
    init_layer,
    layer_loss_and_gradient,
    unroll,
)
from skdeep._network import loss_and_gradient
from skdeep._optim import make_optimizer
from skdeep._pretrain import pretrain_greedy, run_epochs
from skdeep._utils import (
    apply_in_chunks,
    check_hidden_layer_sizes,
    column_means,
    decode_codes,
    make_rng,
    map_rows,
    resolve_batch_size,
    resolve_for_range,
    to_dense,
    validate_fitted_input,
)

# sparsity_target="auto": at least this many active units per row, within
# this range of targets.
AUTO_ACTIVE_UNITS = 5
AUTO_SPARSITY_RANGE = (0.05, 0.25)


class StackedAutoencoderTransformer(
    ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator
):
    """Stacked sparse (denoising) autoencoders, pretrained greedily layer by layer.

    Each hidden layer is an autoencoder trained, without labels, to reconstruct
    the mean codes of the layer below (Bengio et al., 2007), with a KL
    sparsity penalty on its hidden units and optional masking noise on its
    input (Vincent et al., 2008). The stack can then be fine-tuned end to end
    as one deep autoencoder by backpropagating the reconstruction error of the
    input (Hinton & Salakhutdinov, 2006). ``transform`` returns the top-layer
    codes, ready for a downstream estimator in a :class:`~sklearn.pipeline.Pipeline`.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(256,)
        Units per hidden layer, bottom to top; its length is the depth.

    activation : {"sigmoid", "tanh", "relu"}, default="relu"
        Activation of every hidden layer. "sigmoid" is the classic sparse
        autoencoder; "relu" gave the best digits features in our runs.

    decoder : {"auto", "sigmoid", "identity"}, default="auto"
        Output function and loss of the first layer's decoder. "sigmoid" pairs
        a sigmoid output with cross-entropy and needs inputs in [0, 1];
        "identity" pairs a linear output with squared error for real-valued
        inputs; "auto" picks "sigmoid" when every training value lies in
        [0, 1] and "identity" otherwise. Higher layers reconstruct codes: with
        sigmoid hidden units their decoder is "sigmoid", otherwise "identity".

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
        (denoising autoencoder, Vincent et al. 2008); the clean input stays
        the target; 0 turns the noise off. Applies to
        the input of every layer during pretraining and to the network's
        input during fine-tuning.

    tied_weights : bool, default=True
        Whether each decoder uses the transpose of its encoder's weights.

    solver : {"adam", "sgd"}, default="adam"
        Minibatch optimizer: Adam, or SGD with ``momentum``.

    pretrain_iter : int, default=20
        Epochs of greedy pretraining per layer; 0 skips pretraining (the
        layers keep their random initial weights).

    max_iter : int, default=10
        Epochs of end-to-end fine-tuning of the unrolled deep autoencoder;
        0 keeps the greedy stack as it is.

    learning_rate_init : float, default=0.01
        Step size of the optimizer, in pretraining and fine-tuning.

    momentum : float, default=0.9
        Momentum of the "sgd" solver.

    batch_size : int or "auto", default="auto"
        Minibatch size. "auto" uses n_samples // 50 clipped to [128, 256]:
        128 on small data such as digits, 256 from 12800 rows on, where
        larger products run near the machine's matrix-multiply peak.

    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling and masking noise. Pass an int
        for bit-identical models across calls.

    verbose : int, default=0
        Print one line per layer and epoch with the loss and elapsed time.

    Attributes
    ----------
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

    pretrain_loss_curves_ : list of list of float
        Mean pretraining loss per sample of each layer, one value per epoch.

    loss_curve_ : list of float
        Mean fine-tuning loss per sample, one value per epoch.

    n_iter_ : int
        Epochs run in total: pretraining epochs of all layers plus
        fine-tuning epochs.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (n_features,)
        Names of features seen during fit, when X has string column names.

    See Also
    --------
    sklearn.neural_network.BernoulliRBM : A single RBM feature extractor.

    References
    ----------
    Bengio, Lamblin, Popovici & Larochelle (2007). Greedy layer-wise training
    of deep networks. NIPS 19.

    Vincent, Larochelle, Bengio & Manzagol (2008). Extracting and composing
    robust features with denoising autoencoders. ICML.

    Hinton & Salakhutdinov (2006). Reducing the dimensionality of data with
    neural networks. Science 313(5786).

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skdeep import StackedAutoencoderTransformer
    >>> X, _ = load_digits(return_X_y=True)
    >>> X = X / 16
    >>> sae = StackedAutoencoderTransformer((64, 16), pretrain_iter=5, max_iter=2,
    ...                                     random_state=0)
    >>> sae.fit_transform(X).shape
    (1797, 16)
    >>> sae.inverse_transform(sae.transform(X[:3])).shape
    (3, 64)
    """

    _parameter_constraints: dict = {
        "hidden_layer_sizes": [
            Interval(Integral, 1, None, closed="left"),
            "array-like",
        ],
        "activation": [StrOptions({"sigmoid", "tanh", "relu"})],
        "decoder": [StrOptions({"auto", "sigmoid", "identity"})],
        "sparsity_target": [
            Interval(Real, 0, 1, closed="neither"),
            StrOptions({"auto"}),
        ],
        "sparsity_weight": [Interval(Real, 0, None, closed="left")],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "corruption": [Interval(Real, 0, 1, closed="left")],
        "tied_weights": ["boolean"],
        "solver": [StrOptions({"adam", "sgd"})],
        "pretrain_iter": [Interval(Integral, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 0, None, closed="left")],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "batch_size": [
            Interval(Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
        ],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        hidden_layer_sizes=(256,),
        *,
        activation="relu",
        decoder="auto",
        sparsity_target="auto",
        sparsity_weight=3.0,
        alpha=1e-4,
        corruption=0.3,
        tied_weights=True,
        solver="adam",
        pretrain_iter=20,
        max_iter=10,
        learning_rate_init=0.01,
        momentum=0.9,
        batch_size="auto",
        random_state=None,
        verbose=0,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.decoder = decoder
        self.sparsity_target = sparsity_target
        self.sparsity_weight = sparsity_weight
        self.alpha = alpha
        self.corruption = corruption
        self.tied_weights = tied_weights
        self.solver = solver
        self.pretrain_iter = pretrain_iter
        self.max_iter = max_iter
        self.learning_rate_init = learning_rate_init
        self.momentum = momentum
        self.batch_size = batch_size
        self.random_state = random_state
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Pretrain the stack greedily, then fine-tune it end to end.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; float32 input is trained in float32.

        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted transformer.
        """
        sizes = check_hidden_layer_sizes(self.hidden_layer_sizes)
        X = validate_data(self, X, accept_sparse="csr", dtype=[np.float64, np.float32])
        decoders = [self._first_decoder(X)] + [self._upper_decoder()] * (len(sizes) - 1)
        rng = make_rng(self.random_state)
        batch_size = resolve_batch_size(self.batch_size, X.shape[0])

        def fit_layer(k, inputs):
            return self._pretrain_layer(k, inputs, sizes, decoders[k], batch_size, rng)

        def propagate(k, layer, inputs):
            return apply_in_chunks(
                lambda A: encode(A, layer[0], layer[1], self.activation),
                inputs,
                sizes[k],
                X.dtype,
            )

        stack, curves = pretrain_greedy(X, len(sizes), fit_layer, propagate)
        loss_curve = self._fine_tune(X, stack, decoders, batch_size, rng)
        self._set_fitted_attributes(stack, decoders, curves, loss_curve)
        return self

    def _first_decoder(self, X):
        return resolve_for_range(X, "decoder", self.decoder, "sigmoid", "identity")

    def _sparsity_target(self, n_hidden):
        """sparsity_target, "auto" resolved as min(0.25, max(0.05, 5 / n))."""
        if self.sparsity_target == "auto":
            smallest, largest = AUTO_SPARSITY_RANGE
            return min(largest, max(smallest, AUTO_ACTIVE_UNITS / n_hidden))
        return self.sparsity_target

    def _upper_decoder(self):
        return "sigmoid" if self.activation == "sigmoid" else "identity"

    def _pretrain_layer(self, k, inputs, sizes, decoder, batch_size, rng):
        params = init_layer(
            inputs.shape[1],
            sizes[k],
            tied=self.tied_weights,
            decoder=decoder,
            visible_mean=column_means(inputs),
            rng=rng,
            dtype=inputs.dtype,
        )

        def step(params, batch):
            X_batch = to_dense(inputs[batch])
            return layer_loss_and_gradient(
                params,
                X_batch,
                activation=self.activation,
                decoder=decoder,
                sparsity_target=self._sparsity_target(sizes[k]),
                sparsity_weight=self.sparsity_weight,
                alpha=self.alpha,
                X_input=corrupt(X_batch, self.corruption, rng),
            )

        history = run_epochs(
            step,
            params,
            self._optimizer(params),
            n_samples=inputs.shape[0],
            n_epochs=self.pretrain_iter,
            batch_size=batch_size,
            rng=rng,
            label=f"layer {k + 1}/{len(sizes)} ",
            verbose=self.verbose,
        )
        return params, history.loss

    def _fine_tune(self, X, stack, decoders, batch_size, rng):
        if self.max_iter == 0:
            return []
        params, layers = unroll(stack, self.activation, decoders)

        def step(params, batch):
            X_batch = to_dense(X[batch])
            X_input = corrupt(X_batch, self.corruption, rng)
            return loss_and_gradient(params, layers, X_input, X_batch, alpha=self.alpha)

        history = run_epochs(
            step,
            params,
            self._optimizer(params),
            n_samples=X.shape[0],
            n_epochs=self.max_iter,
            batch_size=batch_size,
            rng=rng,
            label="fine-tuning ",
            verbose=self.verbose,
        )
        return history.loss

    def _optimizer(self, params):
        return make_optimizer(
            self.solver, params, self.learning_rate_init, self.momentum
        )

    def _set_fitted_attributes(self, stack, decoders, curves, loss_curve):
        self.coefs_ = [layer[0] for layer in stack]
        self.intercepts_ = [layer[1] for layer in stack]
        self.decoder_intercepts_ = [layer[2] for layer in stack]
        self.decoder_coefs_ = [
            layer[0].T if len(layer) == 3 else layer[3] for layer in stack
        ]
        self.decoders_ = list(decoders)
        self.pretrain_loss_curves_ = curves
        self.loss_curve_ = loss_curve
        self.n_iter_ = sum(len(c) for c in curves) + len(loss_curve)
        self._n_features_out = self.coefs_[-1].shape[1]

    def _encode_stack(self, X):
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
        return H

    def transform(self, X):
        """Top-layer codes of X (deterministic mean-field up-pass).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data to encode.

        Returns
        -------
        codes : ndarray of shape (n_samples, hidden_layer_sizes[-1])
            The codes, in the dtype of the fitted weights.
        """
        X = validate_fitted_input(self, X)
        return map_rows(self._encode_stack, self, X, self._n_features_out)

    def inverse_transform(self, X):
        """Decode top-layer codes down the stack to the input space.

        Parameters
        ----------
        X : array-like of shape (n_samples, hidden_layer_sizes[-1])
            Top-layer codes, such as the output of ``transform``.

        Returns
        -------
        X_original : ndarray of shape (n_samples, n_features)
            The reconstruction.
        """
        return decode_codes(self, X, self._decode_stack)

    def score(self, X, y=None):
        """Negative mean squared reconstruction error (higher is better).

        The mean over samples and features of (x - r(x))^2, with r(x) =
        ``inverse_transform(transform(x))``; deterministic.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data to reconstruct.

        y : None
            Ignored.

        Returns
        -------
        score : float
            Minus the mean squared reconstruction error.
        """
        X = validate_fitted_input(self, X)

        def squared_errors(X_chunk):
            X_chunk = to_dense(X_chunk)
            R = self._decode_stack(self._encode_stack(X_chunk))
            return ((X_chunk - R) ** 2).sum(axis=1, keepdims=True)

        errors = apply_in_chunks(squared_errors, X, 1, np.float64)
        return -float(errors.mean()) / X.shape[1]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
