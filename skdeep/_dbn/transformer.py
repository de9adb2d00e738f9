"""DBNTransformer: a deep belief network of greedily stacked RBMs."""

from numbers import Integral, Real

from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from skdeep._core.arrays import apply_in_chunks
from skdeep._core.rbm import (
    free_energy,
    gibbs_chain,
    hidden_state,
    mean_hiddens,
    sample_visibles,
)
from skdeep._core.xp import device_random, xp_of, zeros
from skdeep._dbn.base import BaseDBN
from skdeep._utils.auto import facts_of, resolve_auto
from skdeep._utils.callbacks import with_fit_tasks
from skdeep._utils.mixins import StreamedPretrainingMixin
from skdeep._utils.validation import (
    FLOATS,
    check_hidden_layer_sizes,
    check_positive_int,
    decode_codes,
    finite_outputs,
    make_rng,
    map_rows,
    restore_on_error,
    small_products_on_one_thread,
    validate_data,
    validate_fitted_input,
)


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

    Read more in the :ref:`User Guide <rbm>`.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(256,)
        Hidden units of each RBM, bottom to top; its length is the depth.

    visible_units : {"auto", "bernoulli", "gaussian"}, default="auto"
        Visible units of the bottom RBM. "bernoulli" needs inputs in [0, 1]
        (probabilities or binary data). "gaussian" takes any real values: the
        data are standardized internally (``mean_``, ``scale_``), so unscaled
        input is fine. "auto" picks "bernoulli" when every training value lies
        in [0, 1] and "gaussian" otherwise. Higher RBMs have Bernoulli
        visibles, or Gaussian ones with rectified hidden units.

    hidden_units : {"auto", "bernoulli", "relu"}, default="auto"
        Hidden units of every RBM: binary logistic units, or noisy rectified
        linear units (Nair & Hinton, 2010), sampled as max(0, x + N(0,
        sigmoid(x))) and read as max(0, x); each RBM above the first then
        models the rectified codes below it with Gaussian visibles.
        Fine-tuning uses the matching activation (logistic or relu). "auto"
        is "bernoulli".

    n_gibbs_steps : int, default=1
        Gibbs steps k of the negative phase of CD-k (or PCD-k).

    persistent : bool, default=False
        Use persistent contrastive divergence: the negative-phase chains
        continue across minibatches instead of restarting at the data.

    sparsity_target : float, default=0.1
        Target mean activation rho of each hidden unit (used when
        ``sparsity_weight`` > 0).

    sparsity_weight : float, default=0.0
        Weight beta of the penalty beta * sum_j KL(rho || q_j) in pretraining,
        q_j the mean of p(h_j = 1 | v) over a minibatch; 0 turns sparsity off.

    alpha : float, default=1e-5
        L2 weight decay: (alpha / 2) * ||W||^2 per sample is added to the
        objective, in pretraining and fine-tuning. (``MLPClassifier`` divides
        its alpha by the batch size: its 1e-4 at batch 200 is 5e-7 here.)

    pretrain_learning_rate : float or "auto", default="auto"
        Step size of the SGD-with-momentum updates of pretraining. "auto" is
        0.1 for RBMs with Bernoulli visibles and, for the Gaussian one, 0.02
        up to 256 hidden units and 0.02 * 256 / n_hidden above (Hinton's
        practical guide, section 13.2); a tenth of these with rectified
        hidden units.

    pretrain_iter : int, default=50
        Most epochs of pretraining per RBM (``pretrain_tol`` usually stops a
        layer sooner; on small tables, where an epoch is a few minibatches, the
        cap decides); 0 skips pretraining (the layers keep their random initial
        weights).

    pretrain_tol : float or "auto", default="auto"
        A layer's pretraining stops early once two epochs in a row each lower
        its loss (the reconstruction error) by less than ``pretrain_tol`` times
        its first epoch's gain (the drop from epoch 1 to epoch 2), a rule free
        of the loss's scale and floor; ``pretrain_iter`` caps the epochs and 0
        runs them all. ``pretrain_n_iter_`` tells how many ran. "auto" is 0.05
        (0 for a Gaussian layer, whose error flattens while it still learns).

    momentum : float, default=0.9
        Momentum of the SGD updates of pretraining and of wake-sleep.

    batch_size : int or "auto", default="auto"
        Minibatch size, in pretraining and fine-tuning. "auto" is
        n_samples // 20 clipped to [64, 512] (fewer than 64 rows: 8 per
        epoch, of 8 rows or more); products near the machine's GEMM peak
        from 10240 rows on.

    learning_rate_init : float, default=0.01
        Step size of the wake-sleep updates (SGD with ``momentum``).

    max_iter : int, default=0
        Epochs of fine-tuning by wake-sleep after greedy pretraining (0: none).
        Every layer below the top RBM gets untied recognition (up) and
        generative (down) weights, trained so that the two agree, while the
        top RBM keeps learning by CD on the wake-phase states.

    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling and Gibbs sampling. Pass an
        int for bit-identical models across calls.

    verbose : int, default=0
        1 prints one line per phase (each layer's pretraining, fine-tuning)
        when it ends: its epochs, final loss, time and why it stopped; 2 also
        prints a line per epoch.

    Attributes
    ----------
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

    hidden_units_ : str
        Hidden units of every RBM, "bernoulli" or "relu".

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

    loss_curve_ : list of float
        Wake-sleep error per epoch: the generative errors of the wake states
        summed over layers plus the top RBM's reconstruction error.

    auto_params_ : dict
        What every parameter given as ``"auto"`` resolved to in the last
        call to ``fit`` or ``partial_fit`` (per-layer ones as lists,
        ``batch_size`` by phase when the phases differ); ``verbose=1``
        prints it before training.

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

    _parameter_constraints: dict = {
        **BaseDBN._parameter_constraints,
        "max_iter": [Interval(Integral, 0, None, closed="left")],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(
        self,
        hidden_layer_sizes=(256,),
        *,
        visible_units="auto",
        hidden_units="auto",
        n_gibbs_steps=1,
        persistent=False,
        sparsity_target=0.1,
        sparsity_weight=0.0,
        alpha=1e-5,
        pretrain_learning_rate="auto",
        pretrain_iter=50,
        pretrain_tol="auto",
        momentum=0.9,
        batch_size="auto",
        learning_rate_init=0.01,
        max_iter=0,
        random_state=None,
        verbose=0,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.visible_units = visible_units
        self.hidden_units = hidden_units
        self.n_gibbs_steps = n_gibbs_steps
        self.persistent = persistent
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
        if self.max_iter > 0 and check_hidden_layer_sizes(self.hidden_layer_sizes)[1:]:
            self._refuse_rectified(X, "Wake-sleep fine-tuning (max_iter > 0)")
        resolve_auto(self, X, facts_of(X))
        pretrained = self._pretrain(X, rng)
        self._set_pretrained(pretrained)
        self.loss_curve_ = []
        if self.max_iter > 0 and len(pretrained.stack) > 1:
            params, self.loss_curve_ = self._wake_sleep(
                X,
                pretrained.stack,
                rng,
                self.max_iter,
                self.learning_rate_init,
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
            units = self.visible_units_, 0, self.hidden_units_
            return -free_energy(V, W, b_hid, b_vis, *units)[:, None]

        energies = apply_in_chunks(negative_free_energy, X, 1, W.dtype)
        return finite_outputs(energies, self)[:, 0]

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
        top, hidden = len(self.coefs_) - 1, self.hidden_units_
        units = self._layer_units(top, self.visible_units_, hidden)
        start = sample_visibles(
            zeros((n_samples, W.shape[1]), W.dtype, W), W, b_vis, units, rng
        )
        start = hidden_state(start, W, b_hid, hidden)
        V, _, _ = gibbs_chain(
            start, W, b_hid, b_vis, units, n_gibbs_steps, rng, hidden_units=hidden
        )
        return self._down_pass(mean_hiddens(V, W, b_hid, None, hidden))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        tags.array_api_support = True
        return tags
