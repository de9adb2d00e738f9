"""
=====================================================
Quick start: learning digits from few labels
=====================================================

The README's quick start (about 30 seconds on two cores). Handwritten digits
(scikit-learn's bundled 8x8 images), a held-out quarter as the test set, and
the labels of only a few training images: the rest are marked unlabeled
with -1. :class:`~skdeep.DBNClassifier` pretrains on every training image,
labeled or not, then fine-tunes on the labels; scikit-learn's
:class:`~sklearn.neural_network.MLPClassifier` of the same shape can only
learn from the labeled images. The semi-supervised DBN is then saved with
joblib, loaded back, and gives the same predictions.
"""

import sys
import tempfile
from pathlib import Path

import joblib
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

from skdeep import DBNClassifier

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X / 16.0, y, test_size=0.25, stratify=y, random_state=0
)
draw = np.random.RandomState(0).rand(len(y_train))
fractions = (0.05, 0.1, 0.2)
models = {
    "MLPClassifier, labeled rows": lambda: MLPClassifier(
        (256,), max_iter=1000, random_state=0
    ),
    "DBNClassifier": lambda: DBNClassifier(unlabeled_label=-1, random_state=0),
}
scores = {name: [] for name in models}
print(f"test accuracy on {len(y_test)} held-out digits")
for fraction in fractions:
    labeled = draw < fraction
    y_partial = np.where(labeled, y_train, -1)  # -1: unlabeled
    for name, make in models.items():
        rows = labeled if name.startswith("MLP") else slice(None)
        model = make().fit(X_train[rows], y_partial[rows])
        scores[name].append(model.score(X_test, y_test))
        print(f"{labeled.sum():4d} labels  {name:28s} {scores[name][-1]:.3f}")

# save the last DBN (20% of the labels) and load it back
path = Path(tempfile.mkdtemp()) / "dbn_digits.joblib"
joblib.dump(model, path)
same = np.array_equal(joblib.load(path).predict(X_test), model.predict(X_test))
print(f"saved with joblib and loaded back: same predictions: {same}")

# %%
# Test accuracy of each model against the number of labeled training images
# (out of 1347): the DBN learns from the unlabeled images too.
fig, ax = plt.subplots(figsize=(7, 4.5))
n_labels = [int((draw < f).sum()) for f in fractions]
colours = ("tab:grey", "tab:blue")
for i, (name, colour) in enumerate(zip(scores, colours, strict=True)):
    bars = ax.bar(
        np.arange(3) + (i - 0.5) * 0.4, scores[name], 0.4, label=name, color=colour
    )
    ax.bar_label(bars, fmt="%.3f", fontsize=8)
ax.set_xticks(np.arange(3), [f"{n} labels" for n in n_labels])
ax.set_ylim(0.7, 1.0)
ax.set_ylabel("test accuracy")
ax.set_title("Digits with few labels (the rest unlabeled)")
ax.legend(loc="upper left")
fig.tight_layout()
if "sphinx_gallery" not in sys.modules:  # run as a script: save the figure
    fig.savefig("quick_start.png", dpi=80)
    print("figure saved to quick_start.png")
