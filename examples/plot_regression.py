"""
==========================================================
Regression with pretrained networks on the diabetes data
==========================================================

:class:`~skdeep.DBNRegressor` and :class:`~skdeep.StackedAutoencoderRegressor`
pretrain their hidden layer without the targets (an RBM, a sparse denoising
autoencoder), then fine-tune it with a linear output layer on the squared
error, like :class:`~sklearn.neural_network.MLPRegressor` from random
weights. All three sit in a Pipeline after a ``StandardScaler``; skdeep's
regressors also standardize the targets inside, which the MLP needs a
:class:`~sklearn.compose.TransformedTargetRegressor` for. R^2 over 5
shuffled folds.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import load_diabetes
from sklearn.model_selection import KFold, cross_val_score
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdeep import DBNRegressor, StackedAutoencoderRegressor

X, y = load_diabetes(return_X_y=True)
folds = KFold(n_splits=5, shuffle=True, random_state=0)
models = {
    "DBNRegressor": DBNRegressor((100,), random_state=0),
    "StackedAutoencoder\nRegressor": StackedAutoencoderRegressor(
        (100,), random_state=0
    ),
    "MLPRegressor,\nstandardized y": TransformedTargetRegressor(
        MLPRegressor(hidden_layer_sizes=(100,), random_state=0),
        transformer=StandardScaler(),
    ),
}
scores = {
    name: cross_val_score(make_pipeline(StandardScaler(), model), X, y, cv=folds)
    for name, model in models.items()
}
for name, s in scores.items():
    print(f"{name.replace(chr(10), ' '):32s} R^2 {s.mean():.3f} +/- {s.std():.3f}")

fig, ax = plt.subplots(figsize=(6, 3.5))
names = list(scores)
ax.bar(
    names,
    [scores[n].mean() for n in names],
    yerr=[scores[n].std() for n in names],
    color=["tab:blue", "tab:green", "tab:gray"],
    capsize=4,
)
ax.set_ylabel("R^2, 5-fold CV")
ax.set_ylim(0, max(np.mean(s) + np.std(s) for s in scores.values()) + 0.1)
ax.set_title("Diabetes progression from 10 standardized features")
fig.tight_layout()
plt.show()
