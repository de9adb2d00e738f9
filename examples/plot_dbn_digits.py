"""
=========================================================
Deep belief network vs MLP vs RBM features on digits
=========================================================

:class:`~skdeep.DBNClassifier` (RBMs pretrained without labels, then the
whole network fine-tuned by backprop) against scikit-learn's
:class:`~sklearn.neural_network.MLPClassifier` with the same hidden layer
trained from random weights, and against a
:class:`~sklearn.neural_network.BernoulliRBM` feature extractor followed by
logistic regression. Same data (sklearn's digits scaled to [0, 1]), same
5-fold stratified split, one run.
"""

import sys
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.neural_network import BernoulliRBM, MLPClassifier
from sklearn.pipeline import Pipeline

from skdeep import DBNClassifier

X, y = load_digits(return_X_y=True)
X = X / 16.0
cv = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
hidden = (256,)

models = {
    "DBNClassifier": DBNClassifier(hidden, random_state=0),
    "MLPClassifier": MLPClassifier(hidden, random_state=0),
    "BernoulliRBM + LogisticRegression": Pipeline(
        [
            ("rbm", BernoulliRBM(n_components=hidden[0], random_state=0)),
            ("clf", LogisticRegression(max_iter=2000)),
        ]
    ),
}

results = {}
print(f"{'model':36s} {'accuracy':>17s} {'time':>7s}")
for name, model in models.items():
    start = time.perf_counter()
    scores = cross_val_score(model, X, y, cv=cv)
    results[name] = scores
    elapsed = time.perf_counter() - start
    print(f"{name:36s} {scores.mean():.4f} +- {scores.std():.4f} {elapsed:6.1f}s")

# %%
# Accuracy per fold.
fig, ax = plt.subplots(figsize=(7, 3.5))
for k, scores in enumerate(results.values()):
    ax.scatter(np.full(5, k), scores, alpha=0.6)
    ax.errorbar(k, scores.mean(), yerr=scores.std(), fmt="k_", markersize=20)
ax.set_xticks(range(len(results)), list(results), fontsize=8)
ax.set_ylabel("5-fold CV accuracy")
ax.set_title(f"digits, hidden layer {hidden}")
fig.tight_layout()
if "sphinx_gallery" not in sys.modules:  # run as a script: save the figure
    fig.savefig("dbn_digits.png", dpi=80)
