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
# The first layer's filters: the incoming weights of the 128 most active
# hidden units as 8x8 images, on a symmetric scale (grey is 0, dark
# negative, light positive): most units watch a few neighbouring pixels.
sae = StackedAutoencoderTransformer(random_state=0).fit(X)
activity = sae.transform(X).mean(axis=0)
most_active = np.argsort(-activity)[:128]
fig, axes = plt.subplots(8, 16, figsize=(12, 6))
for ax, unit in zip(axes.ravel(), most_active, strict=True):
    weights = sae.coefs_[0][:, unit].reshape(8, 8)
    limit = np.abs(weights).max()
    ax.imshow(weights, cmap="gray", vmin=-limit, vmax=limit, interpolation="nearest")
    ax.set_axis_off()
fig.suptitle("First-layer filters of the sparse autoencoder (128 most active of 256)")
if "sphinx_gallery" not in sys.modules:  # run as a script: save the figure
    fig.savefig("sae_filters.png", dpi=80)
    print("filters saved to sae_filters.png")
