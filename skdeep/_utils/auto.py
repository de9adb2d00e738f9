"""What the parameters given as "auto" resolve to, before a fit trains.

``auto_params_`` (a fitted attribute of the six estimators) maps every
parameter given as ``"auto"`` to the value this fit uses, by the same
rules the training loops apply:

- a scalar for a parameter with one value for the whole fit;
- a list, one value per layer, for the per-layer ones
  (``pretrain_learning_rate``, ``pretrain_tol``, ``sparsity_target``,
  ``decoder``);
- ``batch_size``: an int, or a dict by phase (``"pretraining"``,
  ``"fine-tuning"``) when the phases train on different numbers of rows
  (only the labeled rows fine-tune).

With ``verbose >= 1`` a fit prints them in one line before it trains.
"""

import math
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from skdeep._utils.validation import check_hidden_layer_sizes


@dataclass
class FitFacts:
    """What the "auto" rules read of a fit's data."""

    n_rows: int  # the rows pretraining trains on
    n_features: int
    sparse: bool
    chunk: bool = False  # a partial_fit call
    semi_supervised: bool = False  # some rows with weight are unlabeled
    n_tuning_rows: int = 0  # the labeled rows fine-tuning trains on
    n_pseudo_rows: int = 0  # the rows of the epochs with pseudo-labels


def facts_of(X, n_rows=None, chunk=False, **kwargs):
    """The FitFacts of training on X (``n_rows``: the rows with weight)."""
    n_rows = X.shape[0] if n_rows is None else n_rows
    return FitFacts(n_rows, X.shape[1], sp.issparse(X), chunk, **kwargs)


def tuning_rows(estimator, n_labeled):
    """The labeled rows fine-tuning trains on: all but those early stopping
    holds out (``train_test_split``'s count of them)."""
    if not getattr(estimator, "early_stopping", False):
        return n_labeled
    return n_labeled - math.ceil(estimator.validation_fraction * n_labeled)


def supervised_facts(estimator, X, targets, weights, partial):
    """The FitFacts of a classifier's or regressor's fit on X, its encoded
    ``targets`` and row ``weights`` (``partial``: a ``partial_fit`` call)."""
    labeled = targets.labeled
    kept = np.ones(len(labeled), bool) if weights is None else weights > 0
    n_tuning = tuning_rows(estimator, int(labeled.sum()))
    n_unlabeled = 0 if partial else len(estimator._pseudo_labeled_rows(labeled))
    return facts_of(
        X,
        n_rows=int(kept.sum()),
        chunk=partial,
        semi_supervised=bool((kept & ~labeled).any()),
        n_tuning_rows=n_tuning,
        n_pseudo_rows=n_tuning + n_unlabeled if n_unlabeled else 0,
    )


def resolve_auto(estimator, X, facts):
    """Set ``auto_params_`` for a fit on X; print it with ``verbose``."""
    sizes = check_hidden_layer_sizes(estimator.hidden_layer_sizes)
    resolved, real_valued = estimator._auto_pretraining(X, sizes, facts)
    # what pretraining will set, for the fine-tuning rules that read it
    planned = {
        "_planned_real_valued": real_valued,
        "_planned_hidden_units": resolved.get("hidden_units"),
    }
    estimator.__dict__.update(planned)
    try:
        resolved.update(estimator._auto_fine_tuning(facts))
    finally:
        for name in planned:
            del estimator.__dict__[name]
    given = estimator.get_params(deep=False)
    estimator.auto_params_ = {
        name: value for name, value in resolved.items() if given.get(name) == "auto"
    }
    if estimator.verbose:
        settings = ", ".join(f"{k}={v!r}" for k, v in estimator.auto_params_.items())
        print(f"{type(estimator).__name__}: auto settings: {settings}")


def batch_sizes(estimator, facts, fine_tunes):
    """batch_size as ``auto_params_`` reports it: one int, or one per phase
    when they differ."""
    rows = {"pretraining": facts.n_rows}
    if fine_tunes:
        rows["fine-tuning"] = facts.n_tuning_rows
        if facts.n_pseudo_rows:
            rows["pseudo-labels"] = facts.n_pseudo_rows
    sizes = {
        phase: estimator._batch_size(n, chunk=facts.chunk) for phase, n in rows.items()
    }
    values = set(sizes.values())
    return values.pop() if len(values) == 1 else sizes
