"""What every estimator with a pretrained stack shares, and the transformers'
streamed pretraining (``partial_fit``)."""

from sklearn.base import _fit_context

from skdeep._utils.validation import (
    FLOATS,
    restore_on_error,
    streaming_state,
    validate_data,
)


class PretrainedStackMixin:
    """What every estimator with a pretrained stack (``coefs_``,
    ``pretrain_loss_curves_``) tells about it."""

    @property
    def _reference_weights(self):
        """The array whose library and device inputs must share."""
        return self.coefs_[0]

    @property
    def pretrain_n_iter_(self):
        """Epochs each layer's pretraining ran."""
        return [len(curve) for curve in self.pretrain_loss_curves_]


class StreamedPretrainingMixin:
    """``partial_fit`` of the transformers and their epoch count.

    Subclasses name, in ``_fine_tuning_curve``, the attribute holding the
    curve of ``fit``'s own fine-tuning (end-to-end or wake-sleep), which
    ``partial_fit`` leaves to ``fit``.
    """

    @_fit_context(prefer_skip_nested_validation=True)
    @restore_on_error
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
        self._pretrain_stack(X, stream.rng, stream)
        name = self._fine_tuning_curve
        setattr(self, name, getattr(self, name, []))
        self._count_epochs()
        return self

    def _count_epochs(self):
        """``n_iter_``: the pretraining epochs of every layer plus ``fit``'s
        fine-tuning epochs; and the width of the codes."""
        pretraining = sum(len(curve) for curve in self.pretrain_loss_curves_)
        self.n_iter_ = pretraining + len(getattr(self, self._fine_tuning_curve))
        self._n_features_out = self.coefs_[-1].shape[1]
