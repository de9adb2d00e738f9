"""StackedAutoencoderTransformer: greedy layer-wise sparse autoencoders."""

from numbers import Integral, Real

from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval

from skdeep._autoencoder.base import (
    SAE_ATTRIBUTES_DOC,
    SAE_COMMON_PARAMETERS_DOC,
    SAE_PARAMETERS_DOC,
    BaseSAE,
)
from skdeep._core.arrays import (
    apply_in_chunks,
    gather_rows,
    to_dense,
)
from skdeep._core.autoencoder import corrupt, unroll
from skdeep._core.loops import run_epochs
from skdeep._core.network import loss_and_gradient
from skdeep._core.xp import device_random, xp_of
from skdeep._utils.mixins import (
    StreamedPretrainingMixin,
)
from skdeep._utils.validation import (
    FLOATS,
    decode_codes,
    fill_doc,
    make_rng,
    map_rows,
    restore_on_error,
    validate_data,
    validate_fitted_input,
)


@fill_doc(
    sae_parameters=SAE_PARAMETERS_DOC,
    sae_common_parameters=SAE_COMMON_PARAMETERS_DOC,
    sae_attributes=SAE_ATTRIBUTES_DOC,
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

    Parameters
    ----------
    <sae_parameters>
    max_iter : int, default=10
        Epochs of end-to-end fine-tuning of the unrolled deep autoencoder,
        with the same masking noise on its input (``corruption``); 0 keeps
        the greedy stack as it is.

    learning_rate_init : float, default=0.01
        Step size of the optimizer, in pretraining and fine-tuning.

    <sae_common_parameters>
    Attributes
    ----------
    <sae_attributes>
    loss_curve_ : list of float
        Mean fine-tuning loss per sample, one value per epoch.

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

    _fine_tuning_curve = "loss_curve_"

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
        sparsity_target="auto",
        sparsity_weight=3.0,
        alpha=1e-4,
        corruption=0.3,
        tied_weights=True,
        solver="adam",
        pretrain_iter=20,
        pretrain_tol=0.01,
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
        self.pretrain_tol = pretrain_tol
        self.max_iter = max_iter
        self.learning_rate_init = learning_rate_init
        self.momentum = momentum
        self.batch_size = batch_size
        self.random_state = random_state
        self.verbose = verbose

    @property
    def _pretrain_learning_rate(self):
        return self.learning_rate_init

    @_fit_context(prefer_skip_nested_validation=True)
    @restore_on_error
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

        errors = apply_in_chunks(squared_errors, X, 1, xp.float64)
        return -float(xp.mean(errors)) / X.shape[1]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        tags.array_api_support = True
        return tags
