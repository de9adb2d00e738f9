"""What the fine-tuning parameters given as "auto" resolve to.

Each rule reads the estimator's parameter and, for "auto", the kind of
input the stack was fitted on: inputs in [0, 1] (pixels, probabilities) or
real-valued ones the stack standardizes, their width, whether they are
sparse. The classes override the class attributes with their measured rates
(see the user guide's page on how the defaults were chosen).
"""

from skdeep._utils.auto import batch_sizes
from skdeep._utils.validation import check_hidden_layer_sizes

# learning_rate_init="auto": Adam's step size for fine-tuning, and for the
# partial_fit calls that also pretrain (the stack still moves under the
# output layer there, and each row is seen few times).
AUTO_FINE_TUNING_RATE = 3e-3
AUTO_STREAM_PRETRAINING_RATE = 1e-2

# input_dropout="auto": this fraction from this many input features on, but
# for regression on real-valued inputs, none (a dropped feature of a smooth
# signal is noise on a continuous target).
AUTO_INPUT_DROPOUT = 0.2
AUTO_INPUT_DROPOUT_FEATURES = 100

# dropout="auto" on real-valued inputs (those the stack standardizes): the
# estimator's wide-input rate from this many features on, its narrow-input
# rate below (a few features spread over many hidden units leave little for
# dropout to decorrelate, and its noise costs more than it regularizes).
AUTO_DROPOUT_FEATURES = 20

# dropout="auto" thins a hidden layer to (1 - rate) of its units on average;
# it never leaves fewer than this many in the narrowest layer (a dropout
# network needs wider layers than the plain one, Srivastava et al. 2014): at
# 50 units the rate is 0.04, from 96 units on the estimator's own rate holds.
AUTO_DROPOUT_KEPT_UNITS = 48


class FineTuningSettingsMixin:
    """The "auto" rules of fine-tuning, for :class:`FineTuningMixin`."""

    def _learning_rate(self, pretraining=False):
        """Adam's step size; ``pretraining``: for a ``partial_fit`` call
        that also pretrained."""
        if self.learning_rate_init != "auto":
            return self.learning_rate_init
        if pretraining:
            return AUTO_STREAM_PRETRAINING_RATE
        if self._real_valued:
            return self._auto_real_valued_rate
        return AUTO_FINE_TUNING_RATE

    # dropout="auto": (inputs in [0, 1], real-valued from
    # AUTO_DROPOUT_FEATURES features on, real-valued below); the classes
    # override it with their measured rates.
    _auto_dropout = (0.5, 0.5, 0.0)
    # adversarial_epsilon="auto" on images, and dropout="auto" with it (None:
    # the bounded-input rate of _auto_dropout); the classes override it
    _auto_adversarial = (0.0, None)
    # input_dropout="auto" applies to real-valued inputs too
    _input_dropout_real_valued = True
    # learning_rate_init="auto" on real-valued inputs
    _auto_real_valued_rate = AUTO_FINE_TUNING_RATE

    def _auto_fine_tuning(self, facts):
        """The fine-tuning settings of ``auto_params_`` (see
        ``skdeep._utils.auto``)."""
        n, sparse = facts.n_features, facts.sparse
        return {
            "dropout": self._dropout(n, sparse),
            "input_dropout": self._input_dropout(n),
            "adversarial_epsilon": self._adversarial_epsilon(n, sparse),
            "learning_rate_init": self._learning_rate(),
            "batch_size": batch_sizes(self, facts, fine_tunes=True),
        }

    @property
    def _real_valued(self):
        """Whether the stack standardizes its input (real-valued data:
        Gaussian visibles or a linear first decoder)."""
        planned = self.__dict__.get("_planned_real_valued")  # see resolve_auto
        if planned is not None:
            return planned
        return getattr(self, "mean_", None) is not None

    def _dropout(self, n_features, sparse=False):
        """Hidden-unit dropout, "auto" resolved by the kind of input and the
        narrowest hidden layer (see AUTO_DROPOUT_KEPT_UNITS)."""
        if self.dropout != "auto":
            return self.dropout
        narrowest = min(check_hidden_layer_sizes(self.hidden_layer_sizes))
        rate = self._dropout_for_input(n_features, sparse)
        return float(min(rate, max(0.0, 1 - AUTO_DROPOUT_KEPT_UNITS / narrowest)))

    def _dropout_for_input(self, n_features, sparse):
        """The estimator's dropout rate for this kind of input."""
        bounded, wide, narrow = self._auto_dropout
        if not self._real_valued:
            with_adversarial = self._auto_adversarial[1]
            if with_adversarial is None:
                return bounded
            moved = self._adversarial_epsilon(n_features, sparse) > 0
            return with_adversarial if moved else bounded
        return wide if n_features >= AUTO_DROPOUT_FEATURES else narrow

    def _adversarial_epsilon(self, n_features, sparse=False):
        """Size of the adversarial move, "auto" resolved by the input's kind
        and width: images only, inputs in [0, 1] (not standardized) of at
        least AUTO_INPUT_DROPOUT_FEATURES features, dense (in word counts a
        move of every feature would swamp the few nonzero ones)."""
        if self.adversarial_epsilon != "auto":
            return self.adversarial_epsilon
        narrow = n_features < AUTO_INPUT_DROPOUT_FEATURES
        if self._real_valued or narrow or sparse:
            return 0.0
        return self._auto_adversarial[0]

    def _input_dropout(self, n_features):
        """Input dropout, "auto" resolved by the input's width and kind."""
        if self.input_dropout != "auto":
            return self.input_dropout
        if self._real_valued and not self._input_dropout_real_valued:
            return 0.0
        wide = n_features >= AUTO_INPUT_DROPOUT_FEATURES
        return AUTO_INPUT_DROPOUT if wide else 0.0

    def _virtual_adversarial_epsilon(self):
        """L2 size of the virtual adversarial move (0: none, as for
        regression)."""
        return 0.0
