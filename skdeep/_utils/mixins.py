"""What every estimator with a pretrained stack shares, and the transformers'
streamed pretraining (``partial_fit``)."""

from abc import ABC, abstractmethod

from sklearn.base import _fit_context

from skdeep._utils.auto import facts_of, resolve_auto
from skdeep._utils.callbacks import CallbacksMixin, with_fit_tasks
from skdeep._utils.validation import (
    FLOATS,
    restore_on_error,
    small_products_on_one_thread,
    streaming_state,
    validate_data,
)


class PretrainedStackMixin(CallbacksMixin, ABC):
    """The contract of a pretraining base (``BaseDBN``, ``BaseSAE``), on
    which the transformers' streaming and the supervised fine-tuning build,
    and what every pretrained stack (``coefs_``, ``pretrain_loss_curves_``)
    tells about itself."""

    @abstractmethod
    def _pretrain_stack(self, X, rng, stream=None, *, semi_supervised=False):
        """Pretrain on every row of X (with a ``Stream``: one epoch per
        layer, going on from it), set the pretraining attributes and return
        the stack, one ``[W, b_hid, ...]`` per layer. ``semi_supervised``:
        some rows of a supervised fit are unlabeled."""

    @property
    @abstractmethod
    def _hidden_activation(self):
        """The activation of the stack's hidden units."""

    @abstractmethod
    def _input_preparation(self):
        """What the first layer applies to its input rows, or None."""

    @abstractmethod
    def _top_codes(self, X):
        """The deterministic up-pass of X to the top layer."""

    @abstractmethod
    def _batch_size(self, n_samples, chunk=False):
        """The minibatch size for n_samples rows (``chunk``: a
        ``partial_fit`` chunk, see ``resolve_batch_size``)."""

    def _ready_for_backprop(self, X, rng):
        """Whatever the pretrained stack needs before backprop on X (by
        default nothing)."""

    def _auto_fine_tuning(self, facts):
        """The fine-tuning settings of ``auto_params_`` (the transformers'
        fine-tuning trains on the rows pretraining does: nothing more)."""
        return {}

    @property
    def _reference_weights(self):
        """The array whose library and device inputs must share."""
        return self.coefs_[0]

    @property
    def pretrain_n_iter_(self):
        """Epochs each layer's pretraining ran."""
        return [len(curve) for curve in self.pretrain_loss_curves_]


class StreamedPretrainingMixin:
    """``partial_fit`` of the transformers and their epoch count
    (``loss_curve_`` is the curve of ``fit``'s own fine-tuning, end-to-end
    or wake-sleep, which ``partial_fit`` leaves to ``fit``)."""

    @_fit_context(prefer_skip_nested_validation=True)
    @restore_on_error
    @small_products_on_one_thread
    @with_fit_tasks
    def partial_fit(self, X, y=None):
        """One epoch of layer-wise pretraining on a chunk of rows.

        Each layer trains one epoch on the rows as the layers below
        represent them (after their own epoch on this chunk), going on from
        the previous calls, or from ``fit``: the stream's weights,
        optimizer state and random generator. How the input is seen (the
        visible units or decoder, and the standardization of real values)
        comes from the first chunk; ``fit``'s own fine-tuning (end-to-end or
        wake-sleep) is left to ``fit``, and persistent chains restart with
        each chunk.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A chunk of training rows.

        y : None
            Ignored.

        Returns
        -------
        self : object
            The transformer.
        """
        fitted = hasattr(self, "coefs_")
        X = validate_data(
            self,
            X,
            accept_sparse="csr",
            dtype=FLOATS,
            reset=not fitted,
        )
        stream = streaming_state(self, fitted, X)
        resolve_auto(self, X, facts_of(X, chunk=True))
        self._pretrain_stack(X, stream.rng, stream)
        if not hasattr(self, "loss_curve_"):
            self.loss_curve_ = []
        self._count_epochs()
        return self

    def _count_epochs(self):
        """``n_iter_``: the pretraining epochs of every layer plus ``fit``'s
        fine-tuning epochs; and the width of the codes."""
        pretraining = sum(len(curve) for curve in self.pretrain_loss_curves_)
        self.n_iter_ = pretraining + len(self.loss_curve_)
        self._n_features_out = self.coefs_[-1].shape[1]
