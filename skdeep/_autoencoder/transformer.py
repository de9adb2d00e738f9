"""StackedAutoencoderTransformer: greedy layer-wise sparse autoencoders."""

from numbers import Integral, Real

from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval

from skdeep._autoencoder.base import BaseSAE
from skdeep._core.arrays import (
    apply_in_chunks,
    gather_rows,
    to_dense,
)
from skdeep._core.autoencoder import corrupt, unroll
from skdeep._core.loops import run_epochs
from skdeep._core.network import loss_and_gradient
from skdeep._core.xp import device_random, xp_of
from skdeep._utils.auto import facts_of, resolve_auto
from skdeep._utils.callbacks import with_fit_tasks
from skdeep._utils.mixins import StreamedPretrainingMixin
from skdeep._utils.validation import (
    FLOATS,
    decode_codes,
    finite_outputs,
    make_rng,
    map_rows,
    restore_on_error,
    small_products_on_one_thread,
    validate_data,
    validate_fitted_input,
)


class StackedAutoencoderTransformer(
    ClassNamePrefixFeaturesOutMixin, StreamedPretrainingMixin, TransformerMixin, BaseSAE
):
    """Stacked sparse (denoising) autoencoders, pretrained greedily layer by layer.

    Each hidden layer is an autoencoder trained, without labels, to reconstruct
    the mean codes of the layer below (Bengio et al., 2007), with a KL
    sparsity penalty on its hidden units and optional masking noise on its
    input (Vincent et al., 2008). The stack can then be fine-tuned end to end
    as one deep autoencoder by backpropagating the reconstruction error of the
    input (Hinton & Salakhutdinov, 2006). ``transform`` returns the top-layer
    codes, ready for a downstream estimator in a :class:`~sklearn.pipeline.Pipeline`.

    Read more in the :ref:`User Guide <autoencoder>`.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(256,)
        Units of each hidden layer, bottom to top; its length is the depth.

    activation : {"sigmoid", "tanh", "relu"}, default="relu"
        Activation of every hidden layer, in pretraining and fine-tuning.
        "sigmoid" is the classic sparse autoencoder.

    decoder : {"auto", "sigmoid", "identity"}, default="auto"
        Output function and loss of the first layer's decoder. "sigmoid" pairs
        a sigmoid output with cross-entropy and needs inputs in [0, 1];
        "identity" pairs a linear output with squared error for real-valued
        inputs, which are standardized inside (``mean_``, ``scale_``), so
        unscaled input is fine; "auto" picks "sigmoid" when every training
        value lies in [0, 1] and "identity" otherwise. Higher layers
        reconstruct codes: with sigmoid hidden units their decoder is
        "sigmoid", otherwise "identity".

    corruption : float, default=0.3
        Fraction of input entries set to zero at random in every minibatch
        of pretraining (denoising autoencoder, Vincent et al. 2008), at the
        input of every layer; the clean input stays the target; 0 turns the
        noise off.

    tied_weights : bool, default=True
        Whether each decoder uses the transpose of its encoder's weights.

    solver : {"adam", "sgd"}, default="adam"
        Minibatch optimizer of pretraining: Adam, or SGD with ``momentum``.

    sparsity_target : float, "auto" or None, default="auto"
        Target mean activity rho of each hidden unit, in (0, 1): the fraction
        of the time a unit should be "on" (the activity of a sigmoid unit is
        its activation, of a tanh unit (h + 1) / 2, of a relu unit
        1 - exp(-h)). "auto" is min(0.25, max(0.05, 5 / n_hidden)) per layer:
        0.05 for layers of 100 units or more, about 5 active units per row in
        narrower ones, which a small rho would starve. None: no sparsity
        penalty.

    sparsity_weight : float, default=3.0
        Weight beta of the penalty beta * sum_j KL(rho || rho_hat_j) in
        pretraining, rho_hat_j the mean activity of unit j over a minibatch;
        0 turns sparsity off.

    alpha : float, default=1e-4
        L2 weight decay: (alpha / 2) * ||W||^2 per sample is added to the loss,
        in pretraining and fine-tuning.

    pretrain_learning_rate : float, default=0.01
        Step size of the ``solver`` in pretraining.

    pretrain_iter : int, default=20
        Most epochs of pretraining per layer (``pretrain_tol`` usually stops a
        layer sooner); 0 skips pretraining (the layers keep their random
        initial weights).

    pretrain_tol : float, default=0.01
        A layer's pretraining stops early once two epochs in a row each lower
        its loss (reconstruction loss plus penalties) by less than
        ``pretrain_tol`` times its first epoch's gain (the drop from epoch 1 to
        epoch 2), a rule free of the loss's scale and floor; ``pretrain_iter``
        caps the epochs and 0 runs them all. ``pretrain_n_iter_`` tells how
        many ran.

    momentum : float, default=0.9
        Momentum of the "sgd" solver in pretraining.

    batch_size : int or "auto", default="auto"
        Minibatch size, in pretraining and fine-tuning. "auto" is
        n_samples // 50 clipped to [128, 256] (fewer than 128 rows: 8 per
        epoch, of 8 rows or more); near the GEMM peak on large data.

    learning_rate_init : float, default=0.01
        Step size of the ``solver`` in the end-to-end fine-tuning
        (``max_iter``).

    max_iter : int, default=10
        Epochs of fine-tuning: the unrolled deep autoencoder trained end to end
        on the reconstruction of its input, with the same masking noise
        (``corruption``); 0 keeps the greedy stack as it is.

    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling and masking noise. Pass an int
        for bit-identical models across calls.

    verbose : int, default=0
        1 prints one line per phase (each layer's pretraining, fine-tuning)
        when it ends: its epochs, final loss, time and why it stopped; 2 also
        prints a line per epoch.

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

    loss_curve_ : list of float
        Mean fine-tuning loss per sample, one value per epoch.

    auto_params_ : dict
        What every parameter given as ``"auto"`` resolved to in the last
        call to ``fit`` or ``partial_fit`` (per-layer ones as lists,
        ``batch_size`` by phase when the phases differ); ``verbose=1``
        prints it before training.

    n_iter_ : int
        Epochs run in total: pretraining epochs of all layers plus
        fine-tuning epochs.

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
        **BaseSAE._parameter_constraints,
        "max_iter": [Interval(Integral, 0, None, closed="left")],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(
        self,
        hidden_layer_sizes=(256,),
        *,
        activation="relu",
        decoder="auto",
        corruption=0.3,
        tied_weights=True,
        solver="adam",
        sparsity_target="auto",
        sparsity_weight=3.0,
        alpha=1e-4,
        pretrain_learning_rate=0.01,
        pretrain_iter=20,
        pretrain_tol=0.01,
        momentum=0.9,
        batch_size="auto",
        learning_rate_init=0.01,
        max_iter=10,
        random_state=None,
        verbose=0,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.decoder = decoder
        self.corruption = corruption
        self.tied_weights = tied_weights
        self.solver = solver
        self.sparsity_target = sparsity_target
        self.sparsity_weight = sparsity_weight
        self.alpha = alpha
        self.pretrain_learning_rate = pretrain_learning_rate
        self.pretrain_iter = pretrain_iter
        self.pretrain_tol = pretrain_tol
        self.momentum = momentum
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.random_state = random_state
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=True)
    @restore_on_error
    @small_products_on_one_thread
    @with_fit_tasks
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
        X = validate_data(self, X, accept_sparse="csr", dtype=FLOATS)
        rng = device_random(make_rng(self.random_state), X)
        self._stream = None
        resolve_auto(self, X, facts_of(X))
        stack = self._pretrain_stack(X, rng)
        self.loss_curve_ = self._fine_tune(X, stack, rng)
        self._count_epochs()
        return self

    def _fine_tune(self, X, stack, rng):
        """Backprop of the unrolled deep autoencoder's reconstruction error."""
        if self.max_iter == 0:
            return []
        params, layers = unroll(stack, self.activation, self.decoders_)

        prepare = self._input_preparation()

        def step(params, batch):
            X_batch = gather_rows(X, batch, prepare)
            X_input = corrupt(X_batch, self.corruption, rng)
            return loss_and_gradient(params, layers, X_input, X_batch, alpha=self.alpha)

        history = run_epochs(
            step,
            params,
            self._optimizer(params, self.learning_rate_init),
            n_samples=X.shape[0],
            n_epochs=self.max_iter,
            batch_size=self._batch_size(X.shape[0]),
            rng=rng,
            label="fine-tuning ",
            verbose=self.verbose,
            tasks=self._phase("fine-tuning", self.max_iter),
        )
        return history.loss

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
        X = validate_fitted_input(self, X, "transform")
        return map_rows(self._top_codes, self, X, self._n_features_out)

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
        X = validate_fitted_input(self, X, "score")
        xp = xp_of(X)

        def squared_errors(X_chunk):
            X_chunk = to_dense(X_chunk)
            R = self._decode_stack(self._top_codes(X_chunk))
            return xp.sum((X_chunk - R) ** 2, axis=1, keepdims=True, dtype=xp.float64)

        errors = finite_outputs(apply_in_chunks(squared_errors, X, 1, xp.float64), self)
        return -float(xp.mean(errors)) / X.shape[1]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        tags.array_api_support = True
        return tags
