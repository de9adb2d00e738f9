"""Layer-agnostic training loops: minibatch epochs and greedy stacking.

Nothing here knows what a layer is. :func:`run_epochs` drives any
``step(params, batch_indices) -> (loss, grads)`` with an optimizer;
:func:`pretrain_greedy` trains layer k on the mean codes of layer k-1 through
two callables, so autoencoders and RBMs share it.
"""

import time
from collections import namedtuple

import numpy as np

from skdeep._core.xp import all_finite, copy

# A run's curves, and why it stopped (see STOPPED).
History = namedtuple("History", ["loss", "monitor", "stopped"])

# Why a run of epochs stopped, for ``verbose`` lines.
STOPPED = {
    "cap": "ran all {n_epochs} epochs",
    "plateau": "loss plateaued (tol {tol:g})",
    "diverged": "diverged; the best epoch's weights are kept",
    "callback": "a callback asked to stop",
}


class NoTasks:
    """The callback phase of a run no callback hears of (see
    ``skdeep._utils.callbacks.Phase``)."""

    def begin_epoch(self):
        pass

    def end_epoch(self, params):
        return False

    def end(self):
        pass


NO_TASKS = NoTasks()


class TrainingDiverged(ValueError):
    """A run of epochs diverged: a loss exploded or a weight stopped being
    finite (the parameters are back at their values at the start of that
    epoch when it is raised)."""


class Stream:
    """What ``partial_fit`` keeps between calls: each layer's parameters and
    optimizer, the random generator and any per-fit settings (``extra``)."""

    def __init__(self, rng):
        self.rng = rng
        self.layers = []  # (params, optimizer) of each layer trained so far
        self.extra = {}
        self.epochs = 1  # epochs per layer of the next pass (0: only create)
        # partial_fit calls that pretrained so far (None: it goes on from a
        # model fitted by ``fit``, whose pretraining is done)
        self.pretraining_calls = 0

    def layer(self, k, create):
        """Layer k's (params, optimizer), made by ``create()`` the first time."""
        if k == len(self.layers):
            self.layers.append(create())
        return self.layers[k]


def layer_to_train(streaming, create, n_epochs):
    """(params, optimizer, epochs) of a layer: ``create()`` trained for
    ``n_epochs`` without a stream; with ``streaming = (stream, k)``, the
    stream's layer k for the stream's epochs."""
    if streaming is None:
        return *create(), n_epochs
    stream, k = streaming
    return *stream.layer(k, create), stream.epochs


def extend_curves(curves, new_curves):
    """Per-layer curves with one streaming pass's values appended."""
    curves = [list(c) for c in curves] + [[] for _ in new_curves[len(curves) :]]
    for curve, new in zip(curves, new_curves, strict=False):
        curve.extend(new)
    return curves


# A minibatch loss this many times the first one means the run diverged.
DIVERGENCE_FACTOR = 1e6


def minibatches(n_samples, batch_size, rng):
    """Shuffled index arrays covering ``range(n_samples)`` once."""
    order = rng.permutation(n_samples)
    for start in range(0, n_samples, batch_size):
        yield order[start : start + batch_size]


def _all_finite(params):
    return all(all_finite(p) for p in params)


@np.errstate(over="ignore", invalid="ignore", divide="ignore")
def run_epochs(
    step,
    params,
    optimizer,
    *,
    n_samples,
    n_epochs,
    batch_size,
    rng,
    label="",
    verbose=0,
    monitor=None,
    first_epoch=0,
    names=("loss", "monitor"),
    tol=0.0,
    tasks=None,
):
    """Train ``params`` in place for ``n_epochs``; return a :class:`History`.

    The loss of an epoch is the sample-weighted mean of the minibatch losses.
    ``monitor(params) -> float``, when given, is recorded after every epoch
    (a pseudo-likelihood, say) in ``History.monitor``. ``first_epoch`` only
    shifts the epoch numbers in messages; ``names`` labels the loss and the
    monitored value in verbose lines.
    When a loss or a parameter stops being finite, or a minibatch loss exceeds
    ``DIVERGENCE_FACTOR`` times the first one (a learning rate too large: the
    weights explode long before they overflow), the parameters are restored
    to their values at the start of that epoch and :class:`TrainingDiverged`
    (a ``ValueError`` that says what to do) is raised: no caller ever gets
    NaN weights. Overflow on the way there is expected, so numpy's
    floating-point warnings are silenced in favour of that error.
    ``tol > 0`` stops training early once the loss has plateaued (see
    :func:`plateaued`). ``tasks`` (a callback phase, see
    ``skdeep._utils.callbacks``) hears of every epoch and may end the run.
    """
    history, tasks = History([], [], "cap"), tasks or NO_TASKS
    start, divergence = time.perf_counter(), _Divergence()
    for epoch in range(n_epochs):
        tasks.begin_epoch()
        batches = minibatches(n_samples, batch_size, rng)
        epoch_loss = _one_epoch(step, params, optimizer, batches, divergence)
        if epoch_loss is None:
            raise TrainingDiverged(_diverged_message(label, first_epoch + epoch))
        history.loss.append(epoch_loss / n_samples)
        if monitor is not None:
            history.monitor.append(monitor(params))
        if verbose > 1:
            print(
                f"{label}epoch {first_epoch + epoch + 1}/{first_epoch + n_epochs}: "
                f"{_values(history, names)}"
            )
        if tasks.end_epoch(params):
            history = history._replace(stopped="callback")
            break
        if tol > 0 and plateaued(history.loss, tol):
            history = history._replace(stopped="plateau")
            break
    tasks.end()
    if verbose and n_epochs:
        report_phase(label, history, names, n_epochs, tol, time.perf_counter() - start)
    return history


class _Divergence:
    """A run diverges once a minibatch loss reaches DIVERGENCE_FACTOR times
    the first one (or is not finite)."""

    def __init__(self):
        self.limit = None

    def exceeded(self, loss):
        if self.limit is None:
            self.limit = DIVERGENCE_FACTOR * max(abs(loss), 1.0)
        return not abs(loss) < self.limit  # also catches NaN


def _one_epoch(step, params, optimizer, batches, divergence):
    """Minibatch updates over ``batches``: the epoch's summed loss, or None
    (the parameters restored to the epoch's start) when it diverged."""
    snapshot = [copy(p) for p in params]
    total = 0.0
    for batch in batches:
        loss, grads = step(params, batch)
        total += loss * len(batch)
        if divergence.exceeded(loss):
            total = np.inf
            break
        optimizer.update(params, grads)
    if np.isfinite(total) and _all_finite(params):
        return total
    for p, saved in zip(params, snapshot, strict=True):
        p[...] = saved
    return None


def _values(history, names):
    """ "loss 0.123456, monitor 0.123456" of the last epoch."""
    text = f"{names[0]} {history.loss[-1]:.6f}" if history.loss else "no epoch kept"
    if history.monitor:
        text += f", {names[1]} {history.monitor[-1]:.6f}"
    return text


def report_phase(label, history, names, n_epochs, tol, seconds):
    """Print the one ``verbose`` line of a finished phase: its epochs, last
    values, time and why it stopped."""
    reason = STOPPED[history.stopped].format(n_epochs=n_epochs, tol=tol)
    print(
        f"{label.strip()}: {len(history.loss)} of at most {n_epochs} epochs, "
        f"{_values(history, names)}, {seconds:.2f} s; stopped: {reason}"
    )


# Epochs in a row that must each gain less than tol before a layer stops.
PLATEAU_EPOCHS = 2


def plateaued(losses, tol):
    """Whether the last ``PLATEAU_EPOCHS`` epochs each lowered the best loss
    before them by less than ``tol`` times the first epoch's gain (the drop
    from epoch 1 to epoch 2).

    Measuring gains against the first one makes the rule free of the loss's
    scale and of its floor (a cross-entropy never reaches 0), so one ``tol``
    serves RBMs and autoencoders, pixels and standardized tables. A first
    gain that is not positive leaves nothing to compare with: never plateaued.
    """
    if len(losses) < 2 + PLATEAU_EPOCHS:
        return False
    first_gain = losses[0] - losses[1]
    if not first_gain > 0:
        return False
    for j in range(len(losses) - PLATEAU_EPOCHS, len(losses)):
        if min(losses[:j]) - losses[j] >= tol * first_gain:
            return False
    return True


def _diverged_message(label, epoch):
    where = label.strip() or "training"
    rate = "pretrain_learning_rate" if where.startswith("pretrain") else None
    rate = rate or ("learning_rate_init" if label else "the learning rate")
    return (
        f"{where}: training diverged in epoch {epoch + 1}: the loss exploded or "
        "the solver produced non-finite parameter weights. The input data may "
        "contain large values and need to be preprocessed (StandardScaler, "
        f"MinMaxScaler), or the learning rate is too large: lower {rate}."
    )


def pretrain_greedy(X, n_layers, fit_layer, propagate):
    """Greedy layer-wise pretraining.

    ``fit_layer(k, inputs) -> (layer, curve)`` trains layer k on ``inputs``;
    ``propagate(k, layer, inputs) -> codes`` gives the deterministic mean codes
    that become layer k+1's inputs. Returns the layers and their curves.
    """
    layers, curves = [], []
    inputs = X
    for k in range(n_layers):
        layer, curve = fit_layer(k, inputs)
        layers.append(layer)
        curves.append(curve)
        if k < n_layers - 1:
            inputs = propagate(k, layer, inputs)
    return layers, curves
