"""
=====================================================
Stacked sparse autoencoder features for digits
=====================================================

Greedy layer-wise pretrained sparse autoencoder features, fed to a logistic
regression, against the same classifier on raw pixels and on the features of
scikit-learn's :class:`~sklearn.neural_network.BernoulliRBM`. All three are
scored by the same 5-fold stratified cross-validation on sklearn's bundled
digits scaled to [0, 1]. The figure shows the first layer's learned filters.
"""

import sys
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.neural_network import BernoulliRBM
from sklearn.pipeline import Pipeline

from skdeep import StackedAutoencoderTransformer

X, y = load_digits(return_X_y=True)
X = X / 16.0
cv = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)


def logistic():
    return LogisticRegression(max_iter=2000)


models = {
    "raw pixels + LogisticRegression": logistic(),
    "BernoulliRBM(256) + LogisticRegression": Pipeline(
        [("rbm", BernoulliRBM(n_components=256, random_state=0)), ("clf", logistic())]
    ),
    "StackedAutoencoder(256) + LogisticRegression": Pipeline(
        [("sae", StackedAutoencoderTransformer(random_state=0)), ("clf", logistic())]
    ),
}

print(f"{'model':46s} {'accuracy':>17s} {'time':>7s}")
for name, model in models.items():
    start = time.perf_counter()
    scores = cross_val_score(model, X, y, cv=cv)
    elapsed = time.perf_counter() - start
    print(f"{name:46s} {scores.mean():.4f} +- {scores.std():.4f} {elapsed:6.1f}s")

# %%
# The first layer's filters: the incoming weights of the 32 most active
# hidden units, each as an 8x8 image of the pixels it weighs. Red pixels push
# the unit on, blue ones off, white ones barely matter (one colour scale for
# all). Each unit weighs a few pixels strongly: the sparsity penalty makes
# units specialise on small parts of the image.
sae = StackedAutoencoderTransformer(random_state=0).fit(X)
activity = sae.transform(X).mean(axis=0)
most_active = np.argsort(-activity)[:32]
weights = sae.coefs_[0][:, most_active]
limit = np.abs(weights).max()
fig, axes = plt.subplots(4, 8, figsize=(9, 5))
for ax, column in zip(axes.ravel(), weights.T, strict=True):
    image = ax.imshow(
        column.reshape(8, 8),
        cmap="RdBu_r",
        vmin=-limit,
        vmax=limit,
        interpolation="nearest",
    )
    ax.set_axis_off()
fig.colorbar(image, ax=axes, shrink=0.8, label="weight from pixel to unit")
fig.suptitle("What the 32 most active first-layer units look for")
if "sphinx_gallery" not in sys.modules:  # run as a script: save the figure
    fig.savefig("sae_filters.png", dpi=80)
    print("filters saved to sae_filters.png")
