"""The hidden units of a DBN's RBMs: Bernoulli or noisy rectified linear
(``hidden_units``), what "auto" picks, and what a rectified stack needs
before backprop."""

from skdeep._core.arrays import apply_in_chunks
from skdeep._core.network import affine, init_weights
from skdeep._core.rbm import HIDDEN_ACTIVATION
from skdeep._core.xp import in_library_of, to_numpy, ufunc, xp_of

# pretrain_learning_rate="auto" is divided by this with rectified hidden
# units, whose unbounded activity makes larger steps unstable: at the
# Bernoulli rate most units of a digits RBM died (their inputs negative on
# every row), and a Gaussian layer diverged.
AUTO_RECTIFIED_SLOWDOWN = 10

# hidden_units="auto" with persistent=True: Bernoulli units. A persistent
# chain of an RBM whose visibles are Gaussian (the bottom one on real-valued
# data, every one above the first with rectified units) and whose hidden
# units are rectified has no bound on either layer, and it grows without
# limit once the weights amplify it (a (16, 8) stack diverged in 3 epochs).
AUTO_PERSISTENT_UNITS = "bernoulli"

# The visible units of the RBMs above the first, which model the codes of
# the one below: probabilities for Bernoulli hidden units, non-negative
# real values (modelled as unit-variance Gaussians) for rectified ones.
UPPER_VISIBLE_UNITS = {"bernoulli": "bernoulli", "relu": "gaussian"}


class HiddenUnitsMixin:
    """``hidden_units`` of the DBN estimators (for :class:`BaseDBN`)."""

    @property
    def _hidden_activation(self):
        """The fine-tuned network's activation: that of the hidden units."""
        return HIDDEN_ACTIVATION[self.hidden_units_]

    @staticmethod
    def _layer_units(k, visible_units, hidden_units):
        """The visible units of layer k's RBM."""
        return visible_units if k == 0 else UPPER_VISIBLE_UNITS[hidden_units]

    def _resolve_hidden_units(self, visible_units, n_features):
        """hidden_units, "auto" resolved by the bottom RBM's visible units
        and its width (see ``_auto_hidden_units``)."""
        if self.hidden_units != "auto":
            return self.hidden_units
        if self.persistent:
            return AUTO_PERSISTENT_UNITS
        return self._auto_hidden_units(visible_units, n_features)

    def _hidden_units_of(self, visible_units, n_features, stream, keep=True):
        """The hidden units of a fit, or of a stream's (the units it started
        with, which it keeps when ``keep``)."""
        hidden_units = self._resolve_hidden_units(visible_units, n_features)
        if stream is None:
            return hidden_units
        if not keep:
            return stream.extra.get("hidden_units", hidden_units)
        return stream.extra.setdefault("hidden_units", hidden_units)

    def _auto_hidden_units(self, visible_units, n_features):
        """What hidden_units="auto" picks (the estimators override it with
        their measured choice)."""
        return "bernoulli"

    @property
    def _rectified(self):
        """Whether the stack has (or this fit plans) rectified hidden units."""
        planned = self.__dict__.get("_planned_hidden_units")  # see resolve_auto
        if planned is not None:
            return planned == "relu"
        return getattr(self, "hidden_units_", None) == "relu"

    def _ready_for_backprop(self, X, rng):
        """Fresh random weights (and a zero bias) for every rectified unit
        that pretraining left silent on all rows of X, its input negative
        everywhere: backprop through max(0, x) could never move it. An RBM
        drives its units there on independent features, where the model
        it learns needs no weights; Bernoulli units always pass a gradient.
        A frozen stack (``fine_tuning="none"``) stays as pretraining left it."""
        if self.hidden_units_ != "relu" or self.fine_tuning != "backprop":
            return
        A, prepare = X, self._input_preparation() or (lambda B: B)
        for k, (W, c) in enumerate(zip(self.coefs_, self.intercepts_, strict=True)):
            prep = prepare if k == 0 else (lambda B: B)

            def inputs(B, W=W, c=c, prep=prep):
                return affine(prep(B), W, c)

            Z = apply_in_chunks(inputs, A, W.shape[1], X.dtype)
            if _restart_silent_units(W, c, Z, rng):
                Z = apply_in_chunks(inputs, A, W.shape[1], X.dtype)
            A = ufunc("maximum", Z, 0, out=Z)

    def _refuse_rectified(self, X, method):
        """A ValueError when X would train rectified hidden units, which
        ``method`` (a generative fine-tuning) cannot use."""
        visible_units = self._resolve_visible_units(X)
        if self._resolve_hidden_units(visible_units, X.shape[1]) == "relu":
            raise ValueError(
                f"{method} samples binary hidden states and needs "
                'hidden_units="bernoulli"; got hidden_units='
                f'{self.hidden_units!r}. Pass hidden_units="bernoulli", or '
                "fine-tune by backprop."
            )


def _restart_silent_units(W, c, Z, rng):
    """Glorot weights and a zero bias, in place, for the units whose input
    Z (one row per training row) is nowhere positive; whether there were
    any."""
    xp = xp_of(W)
    silent = to_numpy(xp.max(Z, axis=0) <= 0)
    if not silent.any():
        return False
    fresh = init_weights(W.shape[0], W.shape[1], rng, W.dtype, W)
    mask = in_library_of(silent, W)
    W[...] = xp.where(mask[None, :], fresh, W)
    c[...] = xp.where(mask, xp.zeros_like(c), c)
    return True
