"""DBNRegressor: a pretrained RBM stack with a linear output layer."""

from skdeep._dbn.base import BaseDBN
from skdeep._heads.fine_tuning import (
    FINE_TUNING_PARAMETER_CONSTRAINTS,
    FineTuningMixin,
)
from skdeep._heads.regression import RegressorHeadMixin

# dropout="auto" with hidden_units="relu" (Bernoulli stacks keep the
# regressor's own rates, none on narrow tables): a relu network without
# dropout overfit the small regression tables, diabetes most.
AUTO_RECTIFIED_DROPOUT = 0.3


class DBNRegressor(RegressorHeadMixin, FineTuningMixin, BaseDBN):
    """Deep belief network regressor: RBM pretraining, then supervised tuning.

    The RBM stack is pretrained greedily without targets, exactly as in
    :class:`DBNTransformer`; a linear output layer is then added and the
    network trained on the squared error by minibatch Adam, with the whole
    stack (``fine_tuning="backprop"``) or on the frozen pretrained features
    (``fine_tuning="none"``). One or several outputs, as in
    ``MLPRegressor``; rows whose target equals ``unlabeled_label`` take part
    in pretraining only.

    Read more in the :ref:`User Guide <fine_tuning>`.

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
        is "bernoulli". With "relu", ``dropout="auto"`` is 0.3.

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
        (0 for a Gaussian layer, whose error flattens while it still learns);
        0.01 while some rows are unlabeled (``unlabeled_label``), where the
        unlabeled rows are most of what the model learns from.

    momentum : float, default=0.9
        Momentum of the SGD updates of pretraining.

    batch_size : int or "auto", default="auto"
        Minibatch size, in pretraining and fine-tuning. "auto" is
        n_samples // 20 clipped to [64, 512] (fewer than 64 rows: 8 per
        epoch, of 8 rows or more); products near the machine's GEMM peak
        from 10240 rows on.

    fine_tuning : {"backprop", "none"}, default="backprop"
        "backprop" fine-tunes every layer with the targets; "none" keeps the
        pretrained stack frozen and trains only the output layer on its top
        codes.

    learning_rate_init : float or "auto", default="auto"
        Adam's step size in fine-tuning; "auto" is 3e-3, and 5e-3 for
        real-valued inputs (outside [0, 1]), where the pretrained stack
        starts from small weights and a smooth target's fit would stall.

    max_iter : int, default=200
        Most epochs of supervised fine-tuning per ``fit``.

    dropout : float or "auto", default="auto"
        Fraction of hidden units dropped at random in each fine-tuning
        minibatch (inverted dropout; inference uses every unit). "auto" is
        0: it cost the DBN regressor accuracy (see the user guide's
        parameter table).

    input_dropout : float or "auto", default="auto"
        Fraction of input features dropped at random in each fine-tuning
        minibatch (inverted dropout on the network's input; inference uses
        every feature). "auto" is 0 for real-valued inputs (outside [0, 1]),
        where a dropped feature is noise on a continuous target; on inputs
        in [0, 1] it is 0.2 (Srivastava et al., 2014) from 100 features on,
        where neighbouring features repeat each other, and 0 below.

    adversarial_epsilon : float or "auto", default="auto"
        Adversarial training (Goodfellow et al., 2015): each fine-tuning step
        also trains on its rows moved by epsilon times the sign of the loss's
        input gradient, both halves at half weight; it fine-tunes in float32.
        0 ("auto") turns it off.

    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the labeled rows (stratified for
        single-label classes), stop when their score (accuracy, or R^2 for
        regression) has not improved by ``tol`` for ``n_iter_no_change``
        epochs, and restore the best weights (``partial_fit`` refuses it).

    validation_fraction : float, default=0.1
        Fraction of labeled rows held out for early stopping.

    n_iter_no_change : int or np.inf, default=10
        Epochs without improvement by ``tol`` before stopping (np.inf: never).

    tol : float, default=1e-4
        Improvement of the training loss (or, with early stopping, of the
        validation score) that counts.

    weight_averaging : float, default=0.5
        Decay of an exponential moving average, over fine-tuning epochs, of the
        weights at each epoch's end (Polyak averaging): the model keeps that
        average, so that the noise of the last Adam steps and dropout masks
        averages out; early stopping scores and restores it. 0 keeps the last
        epoch's weights. A ``partial_fit`` call is one epoch and keeps its
        weights.

    unlabeled_label : float or None, default=None
        The target value that marks an unlabeled row, such as ``np.nan`` (for
        several outputs, a row whose every target equals it). Unlabeled rows
        take part in pretraining only. None: every row is labeled, and NaN in
        ``y`` is an error.

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

    target_mean_ : ndarray of shape (n_outputs,)
        Mean of each target over the labeled training rows; the network
        predicts standardized targets, ``predict`` undoes it.

    target_scale_ : ndarray of shape (n_outputs,)
        Standard deviation of each target (1 for a constant target).

    output_coef_ : ndarray of shape (hidden_layer_sizes[-1], n_outputs)
        Weights of the output layer.

    output_intercept_ : ndarray of shape (n_outputs,)
        Biases of the output layer.

    output_activation_ : str
        "identity": the linear output of regression.

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
        What every parameter given as ``"auto"`` resolved to in the last
        call to ``fit`` or ``partial_fit`` (per-layer ones as lists,
        ``batch_size`` by phase when the phases differ); ``verbose=1``
        prints it before training.

    n_iter_ : int
        Fine-tuning epochs run by the last call to ``fit`` or ``partial_fit``
        (as in ``MLPClassifier``; ``loss_curve_`` goes on across
        ``warm_start`` fits and ``partial_fit`` calls).

    See Also
    --------
    DBNClassifier : The same stack with a softmax output layer.
    StackedAutoencoderRegressor : Autoencoder pretraining instead of RBMs.
    sklearn.neural_network.MLPRegressor : The same network from random weights.

    References
    ----------
    Hinton, Osindero & Teh (2006). A fast learning algorithm for deep belief
    nets. Neural Computation 18(7).

    Hinton (2010). A practical guide to training restricted Boltzmann
    machines. UTML TR 2010-003.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skdeep import DBNRegressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> reg = make_pipeline(StandardScaler(), DBNRegressor((32,), random_state=0))
    >>> reg.fit(X[:350], y[:350]).score(X[350:], y[350:]) > 0.3
    True
    """

    # dropout="auto": inputs in [0, 1], real-valued wide, real-valued narrow
    _auto_dropout = (0.0, 0.0, 0.0)

    def _dropout_for_input(self, n_features, sparse):
        if self._rectified:
            return AUTO_RECTIFIED_DROPOUT
        return super()._dropout_for_input(n_features, sparse)

    _parameter_constraints: dict = {
        **BaseDBN._parameter_constraints,
        **FINE_TUNING_PARAMETER_CONSTRAINTS,
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
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        weight_averaging=0.5,
        unlabeled_label=None,
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
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.weight_averaging = weight_averaging
        self.unlabeled_label = unlabeled_label
        self.warm_start = warm_start
        self.random_state = random_state
        self.verbose = verbose
