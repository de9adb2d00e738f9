"""
=====================================================
Watching a fit and inspecting what a network learned
=====================================================

A :class:`~skdeep.DBNClassifier` on digits, watched while it trains by
scikit-learn's callbacks: a :class:`~sklearn.callback.ScoringMonitor` scores
every fine-tuning epoch on held-out rows (a scorer that ignores the training
rows it is handed). After the fit, ``auto_params_`` says what each ``"auto"``
parameter became, and the Displays of :mod:`skdeep.inspection` draw the
training history, the learned filters and an autoencoder's reconstructions.
Small networks and few epochs keep it to a few seconds.
"""

import warnings

import matplotlib.pyplot as plt
from sklearn.callback import ScoringMonitor
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from skdeep import DBNClassifier, StackedAutoencoderTransformer
from skdeep.inspection import (
    FiltersDisplay,
    ReconstructionDisplay,
    TrainingHistoryDisplay,
)

X, y = load_digits(return_X_y=True)
X = X / 16.0
X_train, X_val, y_train, y_val = train_test_split(X, y, random_state=0)


def validation_accuracy(estimator, X, y):
    """Score the snapshot of each epoch on the held-out rows."""
    return estimator.score(X_val, y_val)


monitor = ScoringMonitor(scoring={"validation accuracy": validation_accuracy})
clf = DBNClassifier((64, 36), max_iter=40, random_state=0).set_callbacks(monitor)
with warnings.catch_warnings():  # 40 epochs: fewer than its stopping rule asks
    warnings.simplefilter("ignore", ConvergenceWarning)
    clf.fit(X_train, y_train)
print("auto settings:", clf.auto_params_)

# %%
# The monitor's log: one row per fine-tuning epoch, and one for the fit.
log = monitor.get_logs().data
epochs = [row for row in log if row["task_name"] == "epoch"]
print(f"{len(epochs)} epochs scored; last: {epochs[-1]['validation accuracy']:.4f}")

# %%
# The training history: each layer's pretraining, then fine-tuning, on one
# epoch axis; beside it, the validation accuracy the monitor recorded.
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
TrainingHistoryDisplay.from_estimator(clf, ax=left)
right.plot([row["validation accuracy"] for row in epochs], marker=".")
right.set_xlabel("fine-tuning epoch")
right.set_ylabel("validation accuracy (ScoringMonitor)")
fig.tight_layout()

# %%
# The filters of the first layer, and the second layer's through the
# product of the weights below it.
fig, (first, second) = plt.subplots(1, 2, figsize=(9, 4.5))
FiltersDisplay.from_estimator(clf, layer=1, n_filters=64, ax=first)
FiltersDisplay.from_estimator(clf, layer=2, n_filters=36, ax=second)

# %%
# An autoencoder's reconstructions of held-out digits.
sae = StackedAutoencoderTransformer((64,), random_state=0).fit(X_train)
ReconstructionDisplay.from_estimator(sae, X_val[:12])
