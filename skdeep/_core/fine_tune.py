"""Supervised fine-tuning loop with scikit-learn MLP's stopping rules.

Without a validation score, training stops once the training loss has not
improved by ``tol`` for more than ``n_iter_no_change`` consecutive epochs.
With one (early stopping), the criterion is the validation score instead, and
the parameters of the best-scoring epoch are restored at the end.

With ``averaging`` (a decay in [0, 1)), the weights handed back are an
exponential moving average over epochs of the weights at each epoch's end
(Polyak averaging; what early stopping scores and restores is that average):
the last epochs' Adam and dropout noise averages out.
"""

import time
import warnings
from dataclasses import dataclass, field

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from skdeep._core.loops import NO_TASKS, STOPPED, TrainingDiverged, run_epochs
from skdeep._core.xp import copy

# An epoch loss this many times that of a network ignoring its input (a
# constant output) means fine-tuning diverged. A classifier that ignores its
# input scores the log of its class count; a learning rate too large drives
# the loss tens to thousands of times past it, saturated rather than
# overflowing, so the pretraining rule (a millionfold rise) never fires.
FINE_TUNING_DIVERGENCE = 10.0


@dataclass
class FineTuneResult:
    """What a fine-tuning run leaves behind (the estimator's fitted attributes)."""

    loss_curve: list = field(default_factory=list)
    validation_scores: list = field(default_factory=list)
    best_loss: float = np.inf
    best_validation_score: float = -np.inf
    converged: bool = False
    diverged: bool = False
    stopped: bool = False  # by a callback


def fine_tune(
    step,
    params,
    optimizer,
    *,
    n_samples,
    max_iter,
    batch_size,
    rng,
    tol,
    n_iter_no_change,
    validation_score=None,
    before_epoch=None,
    warn_at_max_iter=True,
    averaging=0.0,
    verbose=0,
    loss_ceiling=np.inf,
    tasks=None,
):
    """Train ``params`` in place for at most ``max_iter`` epochs.

    ``step(params, batch) -> (loss, grads)`` as in ``run_epochs``;
    ``validation_score(params) -> float`` (higher is better) turns on early
    stopping; ``before_epoch(epoch, params)``, when given, runs before each
    epoch (to refresh pseudo-labels, say). A run that ends at ``max_iter``
    without meeting the stopping rule raises a ``ConvergenceWarning``, as
    ``MLPClassifier`` does, unless ``warn_at_max_iter`` is False (a run
    meant to last a fixed number of epochs). ``averaging``: the decay of the
    moving average of the weights over epochs, 0 for the last epoch's.
    A diverging epoch (a loss that explodes or stops being finite, or an
    epoch's loss above ``loss_ceiling``) raises ``TrainingDiverged`` with
    ``params`` back at their values on entry, unless early stopping holds a
    best epoch to fall back on. ``tasks`` (a callback phase, see
    ``skdeep._utils.callbacks``) hears of every epoch, with the weights the
    run would keep, and may end the run.
    """
    result, tasks = FineTuneResult(), tasks or NO_TASKS
    on_entry = [copy(p) for p in params] if max_iter else None
    best_params, average, no_improvement = None, None, 0
    began = time.perf_counter()
    for epoch in range(max_iter):
        start = time.perf_counter()
        tasks.begin_epoch()
        if before_epoch is not None:
            before_epoch(epoch, params)
        try:
            loss = _epoch(step, params, optimizer, n_samples, batch_size, rng, epoch)
            _check_ceiling(loss, loss_ceiling, epoch)
        except TrainingDiverged as error:
            if best_params is None:  # nothing to fall back on
                _keep(params, on_entry)
                raise
            _diverged_after_best(result, error)
            break
        average = _moving_average(average, params, averaging)
        kept = params if average is None else average
        improved, new_best = _record(result, loss, kept, validation_score, tol)
        if new_best and validation_score is not None:
            best_params = [copy(p) for p in kept]
        no_improvement = 0 if improved else no_improvement + 1
        if verbose > 1:
            _print_epoch(result, epoch, max_iter, time.perf_counter() - start)
        result.stopped = tasks.end_epoch(kept)
        result.converged = no_improvement > n_iter_no_change
        if result.stopped or result.converged:
            break
    tasks.end()
    if verbose and max_iter:
        _print_phase(result, max_iter, tol, n_iter_no_change, began)
    _keep(params, best_params if best_params is not None else average)
    ended_early = result.converged or result.diverged or result.stopped
    if warn_at_max_iter and not ended_early and max_iter > 0:
        _warn_not_converged(max_iter)
    return result


def _epoch(step, params, optimizer, n_samples, batch_size, rng, epoch):
    """The loss of one epoch (``TrainingDiverged`` when it diverged)."""
    history = run_epochs(
        step,
        params,
        optimizer,
        n_samples=n_samples,
        n_epochs=1,
        batch_size=batch_size,
        rng=rng,
        label="fine-tuning ",
        first_epoch=epoch,
    )
    return history.loss[0]


def _check_ceiling(loss, ceiling, epoch):
    """``TrainingDiverged`` when an epoch's loss rose above ``ceiling``."""
    if loss <= ceiling:
        return
    raise TrainingDiverged(
        f"Fine-tuning diverged in epoch {epoch + 1}: its loss {loss:.4g} rose "
        f"above {ceiling:.4g}, {FINE_TUNING_DIVERGENCE:g} times the loss of a "
        "network that ignores its input. The learning rate is too large: "
        "lower learning_rate_init (divide it by 10 until the fit settles)."
    )


def loss_ceiling(constant_loss):
    """The highest epoch loss a sound fine-tuning reaches, for targets whose
    constant-output loss is ``constant_loss`` (at least 1, so that targets a
    constant fits well leave room for noise)."""
    return FINE_TUNING_DIVERGENCE * max(constant_loss, 1.0)


def _keep(params, final):
    """``params`` set in place to ``final`` (the best or averaged weights),
    unless it is None (the last epoch's weights stay)."""
    if final is not None:
        for p, value in zip(params, final, strict=True):
            p[...] = value


def _moving_average(average, params, decay):
    """The moving average after one more epoch (None when ``decay`` is 0):
    a copy of ``params`` after the first, then decay * average + (1 -
    decay) * params, in place."""
    if decay == 0:
        return None
    if average is None:
        return [copy(p) for p in params]
    for a, p in zip(average, params, strict=True):
        a -= p
        a *= decay
        a += p
    return average


def _diverged_after_best(result, error):
    """Early stopping holds the best epoch's weights: as in MLPClassifier,
    a diverging epoch ends the run with them (its loss and validation
    score NaN) and a warning rather than an error."""
    result.loss_curve.append(float("nan"))
    result.validation_scores.append(float("nan"))
    result.diverged = True
    warnings.warn(
        f"{error} The best epoch's weights are kept.", ConvergenceWarning, stacklevel=5
    )


def _warn_not_converged(max_iter):
    warnings.warn(
        f"Fine-tuning: maximum iterations ({max_iter}) reached and the "
        "optimization hasn't converged yet.",
        ConvergenceWarning,
        stacklevel=4,
    )


def _record(result, loss, params, validation_score, tol):
    """Append this epoch; return (improved by more than tol, new best)."""
    result.loss_curve.append(loss)
    if validation_score is None:
        improved, new_best = loss < result.best_loss - tol, loss < result.best_loss
        result.best_loss = min(result.best_loss, loss)
        return improved, new_best
    score = validation_score(params)
    result.validation_scores.append(score)
    improved = score > result.best_validation_score + tol
    new_best = score > result.best_validation_score
    result.best_validation_score = max(result.best_validation_score, score)
    return improved, new_best


def _print_phase(result, max_iter, tol, n_iter_no_change, began):
    """The one ``verbose`` line of a fine-tuning run begun at ``began``."""
    elapsed = time.perf_counter() - began
    epochs = len(result.loss_curve)
    if result.converged:
        watched = "validation score" if result.validation_scores else "training loss"
        reason = (
            f"{watched} gained less than tol={tol:g} for {n_iter_no_change + 1} epochs"
        )
    elif result.diverged:
        reason = STOPPED["diverged"]
    elif result.stopped:
        reason = STOPPED["callback"]
    else:
        reason = f"reached max_iter={max_iter}"
    line = f"fine-tuning: {epochs} of at most {max_iter} epochs"
    if result.loss_curve:
        line += f", loss {result.loss_curve[-1]:.6f}"
    if result.validation_scores:
        line += f", best validation score {result.best_validation_score:.6f}"
    print(f"{line}, {elapsed:.2f} s; stopped: {reason}")


def _print_epoch(result, epoch, max_iter, elapsed):
    line = f"fine-tuning epoch {epoch + 1}/{max_iter}: loss {result.loss_curve[-1]:.6f}"
    if result.validation_scores:
        line += f", validation score {result.validation_scores[-1]:.6f}"
    print(f"{line}, {elapsed:.3f} s")


def merge_results(first, second):
    """One FineTuneResult for two consecutive fine-tuning runs."""
    return FineTuneResult(
        loss_curve=first.loss_curve + second.loss_curve,
        validation_scores=first.validation_scores + second.validation_scores,
        best_loss=min(first.best_loss, second.best_loss),
        best_validation_score=max(
            first.best_validation_score, second.best_validation_score
        ),
        converged=second.converged,
        diverged=first.diverged or second.diverged,
    )
