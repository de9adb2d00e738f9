"""
=====================================================
Semi-supervised deep belief network on digits
=====================================================

Only a fraction of the training rows keep their labels; the rest are marked
``-1``. :class:`~skdeep.DBNClassifier` with ``unlabeled_label=-1`` pretrains
its RBMs on every training row, fine-tunes on the labeled ones, then on
every row with labels propagated over the graph of its learned codes;
:class:`~sklearn.neural_network.MLPClassifier` with the same hidden layers
can only learn from the labeled rows. Test accuracy against the fraction of
labels, averaged over the folds of a 3-fold stratified split.
"""

import sys

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import StratifiedKFold
from sklearn.neural_network import MLPClassifier

from skdeep import DBNClassifier

X, y = load_digits(return_X_y=True)
X = X / 16.0
hidden = (256,)
fractions = [0.05, 0.1, 0.2, 0.5, 1.0]
cv = StratifiedKFold(n_splits=3, shuffle=True, random_state=0)


def accuracies(fraction):
    """Mean test accuracy of (DBN, MLP) with ``fraction`` of labels kept."""
    dbn, mlp = [], []
    for fold, (train, test) in enumerate(cv.split(X, y)):
        rng = np.random.default_rng(fold)
        n_labeled = int(round(fraction * len(train)))
        labeled = np.zeros(len(train), dtype=bool)
        labeled[rng.choice(len(train), n_labeled, replace=False)] = True
        y_semi = np.where(labeled, y[train], -1)
        model = DBNClassifier(hidden, unlabeled_label=-1, random_state=0)
        dbn.append(model.fit(X[train], y_semi).score(X[test], y[test]))
        baseline = MLPClassifier(hidden, random_state=0)
        baseline.fit(X[train][labeled], y[train][labeled])
        mlp.append(baseline.score(X[test], y[test]))
    return np.mean(dbn), np.mean(mlp)


results = np.array([accuracies(f) for f in fractions])
print(f"{'labels':>7s} {'DBNClassifier':>14s} {'MLPClassifier':>14s} {'lead':>7s}")
for fraction, (dbn, mlp) in zip(fractions, results, strict=True):
    print(f"{fraction:7.0%} {dbn:14.4f} {mlp:14.4f} {dbn - mlp:+7.4f}")

# %%
fig, ax = plt.subplots(figsize=(6, 4))
ax.plot(fractions, results[:, 0], "o-", label="DBNClassifier (all rows pretrained)")
ax.plot(fractions, results[:, 1], "s-", label="MLPClassifier (labeled rows only)")
ax.set_xscale("log")
ax.set_xticks(fractions, [f"{f:.0%}" for f in fractions])
ax.set_xlabel("fraction of training rows with labels")
ax.set_ylabel("test accuracy (3-fold mean)")
ax.legend()
fig.tight_layout()
if "sphinx_gallery" not in sys.modules:  # run as a script: save the figure
    fig.savefig("semi_supervised.png", dpi=80)
