"""DBNClassifier: a pretrained RBM stack with a softmax (or sigmoid) output."""

from sklearn.utils._available_if import available_if
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_is_fitted

from skdeep._dbn import up_down
from skdeep._dbn.base import BaseDBN
from skdeep._heads.classification import (
    CLASSIFIER_PARAMETER_CONSTRAINTS,
    ClassifierHeadMixin,
)
from skdeep._heads.fine_tuning import (
    FINE_TUNING,
    FINE_TUNING_PARAMETER_CONSTRAINTS,
    FineTuningMixin,
)
from skdeep._heads.settings import AUTO_INPUT_DROPOUT_FEATURES as IMAGE_FEATURES
from skdeep._utils.auto import batch_sizes
from skdeep._utils.validation import (
    resolve_batch_size,
    validate_fitted_input,
)

# "up-down" has no output layer: its labels live in the top RBM (up_down.py).
GENERATIVE_FINE_TUNING = {"up-down"}


class DBNClassifier(ClassifierHeadMixin, FineTuningMixin, BaseDBN):
    """Deep belief network classifier: RBM pretraining, then supervised tuning.

    The RBM stack is pretrained greedily without labels, as in
    :class:`DBNTransformer`; a softmax output layer is then trained with the
    labels by Adam on the log-loss, with the whole stack ("backprop") or
    alone on the frozen features ("none").

    Targets are binary, multiclass or multi-label. Rows labeled
    ``unlabeled_label`` are unlabeled: pretraining uses every row,
    fine-tuning the labeled ones, then every row (pseudo-labels, VAT).

    Read more in the :ref:`User Guide <fine_tuning>`.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(256,)
        Hidden units of each RBM, bottom to top; its length is the depth.

    visible_units : {"auto", "bernoulli", "gaussian"}, default="auto"
        Visible units of the bottom RBM: "bernoulli" for inputs in [0, 1],
        "gaussian" for any real values (standardized internally: ``mean_``,
        ``scale_``). "auto": "bernoulli" when every training value lies in
        [0, 1]. Higher RBMs: Bernoulli, or Gaussian above rectified units.

    hidden_units : {"auto", "bernoulli", "relu"}, default="auto"
        Hidden units of every RBM: binary logistic, or noisy rectified linear
        (Nair & Hinton, 2010), sampled as max(0, x + N(0, sigmoid(x))), read
        as max(0, x); fine-tuning uses the matching activation. "auto":
        "relu" on inputs in [0, 1] of fewer than 100 features when "backprop"
        tunes the stack (not with ``persistent``), else "bernoulli".

    n_gibbs_steps : int, default=1
        Gibbs steps k of the negative phase of CD-k (or PCD-k).

    persistent : bool, default=False
        Persistent contrastive divergence: the negative chains continue.

    sparsity_target : float, default=0.1
        Target mean activation rho of each hidden unit (``sparsity_weight``).

    sparsity_weight : float, default=0.0
        Weight beta of the pretraining penalty beta * sum_j KL(rho || q_j),
        q_j the minibatch mean of p(h_j = 1 | v); 0: no sparsity.

    alpha : float, default=1e-5
        L2 weight decay (alpha / 2) * ||W||^2 per sample, in pretraining and
        fine-tuning (``MLPClassifier`` divides its alpha by the batch size).

    pretrain_learning_rate : float or "auto", default="auto"
        Step size of the SGD-with-momentum updates of pretraining. "auto": 0.1
        for Bernoulli visibles; for Gaussian ones 0.02 * min(1, 256 / n_hidden)
        (Hinton's practical guide, section 13.2);
        a tenth of these with rectified hidden units.

    pretrain_iter : int, default=50
        Most epochs of pretraining per RBM (``pretrain_tol`` usually stops a
        layer sooner); 0 skips pretraining (random initial weights).

    pretrain_tol : float or "auto", default="auto"
        A layer's pretraining stops once two epochs in a row each lower its
        reconstruction error by less than ``pretrain_tol`` times its first
        epoch's gain (free of the loss's scale and floor); 0 runs them all;
        ``pretrain_n_iter_`` tells how many ran. "auto": 0.05; 0.01 while
        some rows are unlabeled; 0 for a Gaussian layer and for "up-down".

    momentum : float, default=0.9
        Momentum of the SGD of pretraining and of up-down fine-tuning.

    batch_size : int or "auto", default="auto"
        Minibatch size, in pretraining and fine-tuning. "auto" is
        n_samples // 20 clipped to [64, 512] (fewer than 64 rows: 8 per
        epoch, of 8 rows or more).

    fine_tuning : {"backprop", "none", "up-down"}, default="backprop"
        "backprop" fine-tunes every layer; "none" only the output layer.
        "up-down" is Hinton, Osindero & Teh's generative classifier (labels in
        the top RBM, lower layers untied; ``sample`` draws an input for a
        label): exactly ``max_iter`` epochs, single-label, no sample_weight.

    learning_rate_init : float or "auto", default="auto"
        Step size of fine-tuning: Adam's ("auto": 3e-3), or for "up-down" the
        SGD step with ``momentum`` ("auto": 0.03).

    max_iter : int, default=200
        Most epochs of fine-tuning per ``fit``.

    dropout : float or "auto", default="auto"
        Fraction of hidden units dropped at random in each fine-tuning
        minibatch (inverted dropout; inference uses every unit). "auto" is
        0.5; 0.1 with adversarial training; 0 on real-valued inputs of fewer
        than 20 features; at most 1 - 48 / n for a narrowest layer of n units.

    input_dropout : float or "auto", default="auto"
        Fraction of input features dropped at random in each fine-tuning
        minibatch (inverted dropout; inference uses every feature). "auto":
        0.2 (Srivastava et al., 2014) from 100 features on, 0 below.

    adversarial_epsilon : float or "auto", default="auto"
        Adversarial training (Goodfellow et al., 2015): each fine-tuning step
        also trains on its rows moved by epsilon times the sign of the loss's
        input gradient, both halves at half weight; it fine-tunes in float32.
        0 turns it off. "auto": 0.1 on images (dense inputs in [0, 1], 100
        features or more), where ``dropout="auto"`` is then 0.1; else 0.

    virtual_adversarial_epsilon : float, default=0.0
        Virtual adversarial training (Miyato et al., 2018): each fine-tuning
        step also penalizes the change of the model's prediction under the L2
        move of this size that changes it most. It needs no labels: unlabeled
        rows take part through it. 0 turns it off; a fifth of the rows' mean
        L2 norm is a good start.

    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the labeled rows (stratified for
        single-label classes), stop when their accuracy has not improved by
        ``tol`` for ``n_iter_no_change`` epochs, restore the best weights.

    validation_fraction : float, default=0.1
        Fraction of labeled rows held out for early stopping.

    n_iter_no_change : int or np.inf, default=10
        Epochs without improvement by ``tol`` before stopping (np.inf: never).

    tol : float, default=1e-4
        Improvement of the training loss (or, with early stopping, of the
        validation score) that counts.

    weight_averaging : float, default=0.5
        Decay of a moving average over fine-tuning epochs of the weights at
        each epoch's end (Polyak averaging), which the model keeps (early
        stopping scores and restores it); 0 keeps the last epoch's weights,
        as ``partial_fit`` and up-down do.

    unlabeled_label : object, default=None
        The value of ``y`` that marks an unlabeled row (-1 follows
        ``sklearn.semi_supervised``; for a label-indicator ``y``, a row whose
        every entry equals it). None: every value of ``y`` is a class.
        Unlabeled rows take part in pretraining and, through
        ``pseudo_labels``, in fine-tuning.

    pseudo_labels : {"propagation", "network", "none"}, default="propagation"
        How unlabeled rows take part in fine-tuning: after the labeled rows,
        ``pseudo_label_iter`` epochs over every row, each unlabeled one with
        a pseudo-label recomputed every 5 epochs, weighted by its certainty
        (1 - entropy / log(n_classes), per label for multi-label targets).
        "propagation" (Iscen et al., 2019) spreads the known labels over the
        10-nearest-neighbour graph of the top hidden codes; "network" (Lee,
        2013) takes the network's own class, ramped up over 10 epochs;
        "none" fine-tunes on the labeled rows only.

    pseudo_label_weight : float, default=1.0
        Weight of a pseudo-labeled row relative to a labeled one (0: "none").

    pseudo_label_iter : int, default=30
        Epochs of fine-tuning with pseudo-labels, over every row.

    warm_start : bool, default=False
        When True, ``fit`` skips pretraining and goes on fine-tuning from the
        fitted weights (the targets must be of the same kind and, for
        classifiers, the same classes). ``partial_fit`` always goes on.

    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling, Gibbs sampling and dropout.
        Pass an int for bit-identical models across calls.

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

    classes_ : ndarray of shape (n_classes,)
        Class labels (never ``unlabeled_label``); for a label-indicator
        ``y``, the label indices 0 .. n_labels - 1.

    output_coef_ : ndarray of shape (hidden_layer_sizes[-1], n_outputs)
        Weights of the output layer.

    output_intercept_ : ndarray of shape (n_outputs,)
        Biases of the output layer.

    output_activation_ : str
        "softmax" (single-label classes) or "sigmoid" (multi-label).

    n_outputs_ : int
        Output units.

    loss_curve_ : list of float
        Mean fine-tuning loss per labeled training row, one per epoch (with
        pseudo-labels, then the certainty-weighted mean over every row for
        each pseudo-label epoch).

    best_loss_ : float or None
        Lowest training loss (None with early stopping).

    validation_scores_ : list of float or None
        Validation score per epoch (None without early stopping).

    best_validation_score_ : float or None
        Best validation score (None without early stopping).

    auto_params_ : dict
        What each parameter given as ``"auto"`` resolved to in the last
        ``fit`` or ``partial_fit`` (per layer, and ``batch_size`` per phase
        where they differ); ``verbose=1`` prints it before training.

    n_iter_ : int
        Fine-tuning epochs run by the last call to ``fit`` or ``partial_fit``
        (as in ``MLPClassifier``; ``loss_curve_`` goes on across
        ``warm_start`` fits and ``partial_fit`` calls).

    label_coef_ : ndarray of shape (n_classes, hidden_layer_sizes[-1]) or None
        Weights between the label units and the top hidden layer ("up-down";
        None otherwise; then ``output_coef_`` and ``output_intercept_`` are
        None).

    label_intercept_ : ndarray of shape (n_classes,) or None
        Biases of the label units ("up-down"; None otherwise).

    See Also
    --------
    DBNTransformer : The unsupervised stack alone.
    DBNRegressor : The same stack with a linear output layer.
    StackedAutoencoderClassifier : Autoencoder pretraining instead of RBMs.
    sklearn.neural_network.MLPClassifier : The same network from random weights.

    References
    ----------
    Hinton, Osindero & Teh (2006). A fast learning algorithm for deep belief
    nets. Neural Computation 18(7).

    Lee (2013). Pseudo-label: the simple and efficient semi-supervised
    learning method for deep neural networks. ICML workshop on challenges in
    representation learning.

    Iscen, Tolias, Avrithis & Chum (2019). Label propagation for deep
    semi-supervised learning. CVPR.

    Miyato, Maeda, Koyama & Ishii (2018). Virtual adversarial training. TPAMI.

    Zhou, Bousquet, Lal, Weston & Schoelkopf (2004). Learning with local and
    global consistency. NIPS 16.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skdeep import DBNClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = DBNClassifier((64,), pretrain_iter=10, max_iter=100, random_state=0)
    >>> clf.fit(X[:1500] / 16, y[:1500]).score(X[1500:] / 16, y[1500:]) > 0.9
    True
    """

    _parameter_constraints: dict = {
        **BaseDBN._parameter_constraints,
        **FINE_TUNING_PARAMETER_CONSTRAINTS,
        **CLASSIFIER_PARAMETER_CONSTRAINTS,
        "fine_tuning": [StrOptions(set(FINE_TUNING) | GENERATIVE_FINE_TUNING)],
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
        fine_tuning="backprop",
        learning_rate_init="auto",
        max_iter=200,
        dropout="auto",
        input_dropout="auto",
        adversarial_epsilon="auto",
        virtual_adversarial_epsilon=0.0,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        weight_averaging=0.5,
        unlabeled_label=None,
        pseudo_labels="propagation",
        pseudo_label_weight=1.0,
        pseudo_label_iter=30,
        warm_start=False,
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
        self.fine_tuning = fine_tuning
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.dropout = dropout
        self.input_dropout = input_dropout
        self.adversarial_epsilon = adversarial_epsilon
        self.virtual_adversarial_epsilon = virtual_adversarial_epsilon
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.weight_averaging = weight_averaging
        self.unlabeled_label = unlabeled_label
        self.pseudo_labels = pseudo_labels
        self.pseudo_label_weight = pseudo_label_weight
        self.pseudo_label_iter = pseudo_label_iter
        self.warm_start = warm_start
        self.random_state = random_state
        self.verbose = verbose

    # adversarial_epsilon="auto" on images, and the dropout="auto" with it
    # (0.1 with dropout 0.1 beat dropout 0.5 on a full-MNIST validation split)
    _auto_adversarial = (0.1, 0.1)

    def _auto_hidden_units(self, visible_units, n_features):
        """Rectified units on inputs in [0, 1] narrower than images (fewer
        than 100 features) when backprop tunes the stack; Bernoulli units
        elsewhere (the comparison: bench_hidden_units.py, the rbm page)."""
        narrow = visible_units == "bernoulli" and n_features < IMAGE_FEATURES
        return "relu" if narrow and self.fine_tuning == "backprop" else "bernoulli"

    @property
    def _generative(self):
        """Whether the generative up-down path (``skdeep._dbn.up_down``)
        fits and predicts instead of backprop."""
        return self.fine_tuning in GENERATIVE_FINE_TUNING

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        return super().partial_fit(X, y, classes, sample_weight)

    # the docstring set before available_if wraps it, so that help() on the
    # class shows it (the descriptor copies the function's own)
    partial_fit.__doc__ = ClassifierHeadMixin.partial_fit.__doc__
    partial_fit = available_if(lambda self: not self._generative)(partial_fit)

    def _fit(self, X, y, sample_weight=None, **kwargs):
        if self._generative:
            return up_down.fit(self, X, y, sample_weight, kwargs.get("partial"))
        self.label_coef_ = self.label_intercept_ = None
        return super()._fit(X, y, sample_weight, **kwargs)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = not self._generative  # one softmax
        return tags

    def _learning_rate(self, pretraining=False):
        if self._generative and self.learning_rate_init == "auto":
            return up_down.AUTO["learning_rate"]
        return super()._learning_rate(pretraining)

    def _auto_fine_tuning(self, facts):
        if not self._generative:
            return super()._auto_fine_tuning(facts)
        return {
            "learning_rate_init": self._learning_rate(),
            "batch_size": batch_sizes(self, facts, fine_tunes=False),
        }

    def _batch_size(self, n_samples, chunk=False):
        if self._generative and self.batch_size == "auto":
            return resolve_batch_size("auto", n_samples, *up_down.AUTO["batch"])
        return super()._batch_size(n_samples, chunk)

    def _pretrain_tol(self, semi_supervised=False, visible_units="bernoulli"):
        if self._generative and self.pretrain_tol == "auto":
            return up_down.AUTO["pretrain_tol"]
        return super()._pretrain_tol(semi_supervised, visible_units)

    def _can_continue(self):
        return not self._generative and super()._can_continue()

    def _logits(self, X):
        if self.label_coef_ is None:
            return self._output_logits(X)
        return up_down.logits(self, validate_fitted_input(self, X))

    def sample(self, y, *, n_gibbs_steps=1000, random_state=None):
        """Generate one input row per requested label ("up-down" only).

        Gibbs sampling in the top RBM with the label units clamped to ``y``,
        then a mean-field down-pass through the generative weights.

        Parameters
        ----------
        y : array-like of shape (n_samples,)
            Labels from ``classes_``, one per row to generate.

        n_gibbs_steps : int, default=1000
            Gibbs steps of each chain in the top RBM.

        random_state : int, RandomState instance or None, default=None
            Seeds the chains.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_features)
            Generated rows in the visible range (probabilities for Bernoulli
            visibles, original units for Gaussian ones).
        """
        check_is_fitted(self)
        if self.label_coef_ is None:
            raise ValueError(
                'sample needs a generative model: fit with fine_tuning="up-down".'
            )
        return up_down.sample(self, y, n_gibbs_steps, random_state)
