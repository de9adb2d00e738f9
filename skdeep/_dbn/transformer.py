"""DBNTransformer: a deep belief network of greedily stacked RBMs."""

from numbers import Integral, Real

from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from skdeep._core.arrays import (
    apply_in_chunks,
)
from skdeep._core.rbm import free_energy, gibbs_chain, mean_hiddens, sample_visibles
from skdeep._core.xp import device_random, xp_of, zeros
from skdeep._dbn.base import DBN_ATTRIBUTES_DOC, DBN_PARAMETERS_DOC, BaseDBN
from skdeep._utils.mixins import (
    StreamedPretrainingMixin,
)
from skdeep._utils.validation import (
    FLOATS,
    check_positive_int,
    decode_codes,
    fill_doc,
    make_rng,
    map_rows,
    restore_on_error,
    validate_data,
    validate_fitted_input,
)


@fill_doc(dbn_parameters=DBN_PARAMETERS_DOC, dbn_attributes=DBN_ATTRIBUTES_DOC)
class DBNTransformer(
    ClassNamePrefixFeaturesOutMixin, StreamedPretrainingMixin, TransformerMixin, BaseDBN
):
    """Deep belief network: RBMs stacked greedily, trained by CD-k or PCD.

    Each restricted Boltzmann machine learns, without labels, a model of the
    mean-field codes of the one below it (Hinton, Osindero & Teh, 2006);
    ``transform`` is the deterministic up-pass to the top layer's
    probabilities p(h = 1 | v), ready for a downstream estimator. Optional
    wake-sleep fine-tuning then unties each lower layer into recognition
    weights (used by ``transform``) and generative weights (used by
    ``inverse_transform`` and ``sample``).

    Parameters
    ----------
    <dbn_parameters>

    wake_sleep_iter : int, default=0
        Epochs of wake-sleep fine-tuning after greedy pretraining (0: none).
        Every layer below the top RBM gets untied recognition (up) and
        generative (down) weights, trained so that the two agree, while the
        top RBM keeps learning by CD on the wake-phase states.

    wake_sleep_learning_rate : float, default=0.01
        Step size of the wake-sleep updates (SGD with ``momentum``).

    Attributes
    ----------
    <dbn_attributes>
    wake_sleep_curve_ : list of float
        Wake-sleep error per epoch: the generative errors of the wake states
        summed over layers plus the top RBM's reconstruction error.

    n_iter_ : int
        Epochs run: pretraining epochs summed over layers, plus wake-sleep
        epochs.

    See Also
    --------
    DBNClassifier : The same stack with a softmax output layer.
    sklearn.neural_network.BernoulliRBM : A single RBM.

    References
    ----------
    Hinton, Osindero & Teh (2006). A fast learning algorithm for deep belief
    nets. Neural Computation 18(7).

    Hinton (2010). A practical guide to training restricted Boltzmann
    machines. UTML TR 2010-003.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skdeep import DBNTransformer
    >>> X, _ = load_digits(return_X_y=True)
    >>> dbn = DBNTransformer((64, 16), pretrain_iter=5, random_state=0)
    >>> dbn.fit_transform(X / 16).shape
    (1797, 16)
    >>> dbn.sample(3, random_state=0).shape
    (3, 64)
    """

    _fine_tuning_curve = "wake_sleep_curve_"

    _parameter_constraints: dict = {
        **BaseDBN._parameter_constraints,
        "wake_sleep_iter": [Interval(Integral, 0, None, closed="left")],
        "wake_sleep_learning_rate": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(
        self,
        hidden_layer_sizes=(256,),
        *,
        visible_units="auto",
        n_gibbs_steps=1,
        persistent=False,
        pretrain_learning_rate="auto",
        pretrain_iter=50,
        pretrain_tol="auto",
        momentum=0.9,
        alpha=1e-5,
        sparsity_target=0.1,
        sparsity_weight=0.0,
        batch_size="auto",
        random_state=None,
        verbose=0,
        wake_sleep_iter=0,
        wake_sleep_learning_rate=0.01,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.visible_units = visible_units
        self.n_gibbs_steps = n_gibbs_steps
        self.persistent = persistent
        self.pretrain_learning_rate = pretrain_learning_rate
        self.pretrain_iter = pretrain_iter
        self.pretrain_tol = pretrain_tol
        self.momentum = momentum
        self.alpha = alpha
        self.sparsity_target = sparsity_target
        self.sparsity_weight = sparsity_weight
        self.batch_size = batch_size
        self.random_state = random_state
        self.verbose = verbose
        self.wake_sleep_iter = wake_sleep_iter
        self.wake_sleep_learning_rate = wake_sleep_learning_rate

    @_fit_context(prefer_skip_nested_validation=True)
    @restore_on_error
    def fit(self, X, y=None):
        """Pretrain the RBM stack greedily, bottom up.

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
        pretrained = self._pretrain(X, rng)
        self._set_pretrained(pretrained)
        self.wake_sleep_curve_ = []
        if self.wake_sleep_iter > 0 and len(pretrained.stack) > 1:
            params, self.wake_sleep_curve_ = self._wake_sleep(
                X,
                pretrained.stack,
                rng,
                self.wake_sleep_iter,
                self.wake_sleep_learning_rate,
            )
            self._set_untied(params)
        self._count_epochs()
        return self

    def transform(self, X):
        """Top-layer probabilities p(h = 1 | x) of the deterministic up-pass.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data to encode.

        Returns
        -------
        codes : ndarray of shape (n_samples, hidden_layer_sizes[-1])
            Top-layer activation probabilities.
        """
        X = validate_fitted_input(self, X, "transform")
        return map_rows(self._up_pass, self, X, self._n_features_out)

    def inverse_transform(self, X):
        """Mean-field down-pass from top-layer codes to the input space.

        Parameters
        ----------
        X : array-like of shape (n_samples, hidden_layer_sizes[-1])
            Top-layer codes, such as the output of ``transform``.

        Returns
        -------
        X_original : ndarray of shape (n_samples, n_features)
            Expected visibles: probabilities for Bernoulli visibles, values in
            the original units for Gaussian ones.
        """
        return decode_codes(self, X, self._down_pass)

    def score_samples(self, X):
        """Negative free energy of each row under the bottom RBM.

        -F(x) = log p(x) + log Z: the bottom RBM's log-likelihood up to its
        (intractable) log-partition function, which does not depend on x. It
        ranks rows by how typical the model finds them; deterministic. After
        wake-sleep the bottom layer is untied and this uses its recognition
        weights with its generative visible biases, a proxy rather than an
        RBM's exact free energy.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data to score.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            Higher means more probable.
        """
        X = validate_fitted_input(self, X, "score_samples")
        W, b_hid, b_vis = (
            self.coefs_[0],
            self.intercepts_[0],
            self.visible_intercepts_[0],
        )

        def negative_free_energy(X_chunk):
            V = self._prepare_visibles(X_chunk)
            return -free_energy(V, W, b_hid, b_vis, self.visible_units_)[:, None]

        return apply_in_chunks(negative_free_energy, X, 1, W.dtype)[:, 0]

    def score(self, X, y=None):
        """Mean negative free energy of the rows of X (higher is better).

        The mean of ``score_samples``: the unnormalized log-likelihood of
        the bottom RBM, so it compares models of the same data with no labels
        (``GridSearchCV`` without ``y``, ``dask_ml``'s ``Incremental``).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data to score.

        y : None
            Ignored.

        Returns
        -------
        score : float
            Mean of ``score_samples(X)``.
        """
        scores = self.score_samples(X)
        return float(xp_of(scores).mean(scores))

    def sample(self, n_samples=1, *, n_gibbs_steps=1000, random_state=None):
        """Generate rows: a Gibbs chain in the top RBM, then a down-pass.

        Parameters
        ----------
        n_samples : int, default=1
            Number of rows to generate (independent chains).

        n_gibbs_steps : int, default=1000
            Gibbs steps of each chain in the top RBM.

        random_state : int, RandomState instance or None, default=None
            Seeds the chains.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_features)
            Generated rows, in the visible range: probabilities for Bernoulli
            visibles, original units for Gaussian ones.
        """
        check_is_fitted(self)
        n_samples = check_positive_int(n_samples, "n_samples")
        n_gibbs_steps = check_positive_int(n_gibbs_steps, "n_gibbs_steps")
        W, b_hid, b_vis = (
            self.coefs_[-1],
            self.intercepts_[-1],
            self.visible_intercepts_[-1],
        )
        rng = device_random(make_rng(random_state), W)
        units = self.visible_units_ if len(self.coefs_) == 1 else "bernoulli"
        start = sample_visibles(
            zeros((n_samples, W.shape[1]), W.dtype, W), W, b_vis, units, rng
        )
        _, H_mean, _ = gibbs_chain(
            mean_hiddens(start, W, b_hid), W, b_hid, b_vis, units, n_gibbs_steps, rng
        )
        return self._down_pass(H_mean)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        tags.array_api_support = True
        return tags
