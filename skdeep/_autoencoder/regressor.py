"""StackedAutoencoderRegressor: greedy autoencoder pretraining, then a linear
output layer and supervised fine-tuning."""

from skdeep._autoencoder.base import SupervisedSAE
from skdeep._heads.fine_tuning import FINE_TUNING_PARAMETER_CONSTRAINTS
from skdeep._heads.regression import RegressorHeadMixin


class StackedAutoencoderRegressor(RegressorHeadMixin, SupervisedSAE):
    """Stacked sparse autoencoder regressor: greedy pretraining, then tuning.

    Each hidden layer is pretrained without targets as a sparse denoising
    autoencoder, exactly as in :class:`StackedAutoencoderTransformer`; a
    linear output layer is then added and the network trained on the squared
    error by minibatch Adam, with the whole stack (``fine_tuning="backprop"``)
    or on the frozen codes (``fine_tuning="none"``). One or several outputs,
    as in ``MLPRegressor``; rows whose target equals ``unlabeled_label`` take
    part in pretraining only.

    Read more in the :ref:`User Guide <fine_tuning>`.

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
        1 - exp(-h)). On inputs in [0, 1], "auto" is
        min(0.25, max(0.05, 5 / n_hidden)) per layer: 0.05 for layers of 100
        units or more, about 5 active units per row in narrower ones, which a
        small rho would starve. On real-valued inputs (the linear decoder)
        "auto" is None, no sparsity penalty (``sparsity_weight`` then has no
        effect): a continuous target is read off the codes, and every
        target pulled them away from what it needs on some table. Give a
        target to use the penalty there; None turns it off everywhere.

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
        0.5 on inputs in [0, 1] and 0.3 on real-valued inputs (the user
        guide's page on real-valued data has the measurements).

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
        Seeds weight initialisation, shuffling, masking noise and dropout.
        Pass an int for bit-identical models across calls.

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
    StackedAutoencoderTransformer : The unsupervised stack alone.
    DBNRegressor : RBM pretraining instead of autoencoders.
    sklearn.neural_network.MLPRegressor : The same network from random weights.

    References
    ----------
    Bengio, Lamblin, Popovici & Larochelle (2007). Greedy layer-wise training
    of deep networks. NIPS 19.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skdeep import StackedAutoencoderRegressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> reg = make_pipeline(
    ...     StandardScaler(), StackedAutoencoderRegressor((32,), random_state=0)
    ... )
    >>> reg.fit(X[:350], y[:350]).score(X[350:], y[350:]) > 0.3
    True
    """

    # dropout="auto": inputs in [0, 1], real-valued wide, real-valued narrow
    _auto_dropout = (0.5, 0.3, 0.3)
    _sparsity_on_real_values = False

    _parameter_constraints: dict = {
        **SupervisedSAE._parameter_constraints,
        **FINE_TUNING_PARAMETER_CONSTRAINTS,
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
