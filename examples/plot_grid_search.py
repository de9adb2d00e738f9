"""
============================================
Grid search over depth and sparsity
============================================

A :class:`~sklearn.pipeline.Pipeline` of a
:class:`~skdeep.StackedAutoencoderTransformer` and a logistic regression,
tuned by :class:`~sklearn.model_selection.GridSearchCV` over the depth
(``hidden_layer_sizes``) and the sparsity target, with 3-fold
cross-validation on digits. The dashed baseline is logistic regression on raw
pixels with the same folds.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
from sklearn.pipeline import Pipeline

from skdeep import StackedAutoencoderTransformer

X, y = load_digits(return_X_y=True)
X = X / 16.0
cv = StratifiedKFold(n_splits=3, shuffle=True, random_state=0)
depths = [(128,), (128, 64), (128, 64, 32)]
targets = [0.01, 0.05, 0.2]

pipe = Pipeline(
    [
        ("sae", StackedAutoencoderTransformer(pretrain_iter=10, random_state=0)),
        ("clf", LogisticRegression(max_iter=3000)),
    ]
)
grid = GridSearchCV(
    pipe,
    {"sae__hidden_layer_sizes": depths, "sae__sparsity_target": targets},
    cv=cv,
    n_jobs=2,
).fit(X, y)
scores = grid.cv_results_["mean_test_score"].reshape(len(depths), len(targets))
baseline = cross_val_score(LogisticRegression(max_iter=3000), X, y, cv=cv).mean()
print(f"best {grid.best_params_}: {grid.best_score_:.4f}; raw pixels {baseline:.4f}")

# %%
fig, ax = plt.subplots(figsize=(5, 3.8))
image = ax.imshow(scores, cmap="viridis")
for (i, j), score in np.ndenumerate(scores):
    ax.text(j, i, f"{score:.3f}", ha="center", va="center", color="w", fontsize=9)
ax.set_xticks(range(len(targets)), [str(t) for t in targets])
ax.set_yticks(range(len(depths)), [str(d) for d in depths])
ax.set_xlabel("sparsity_target")
ax.set_ylabel("hidden_layer_sizes")
ax.set_title(f"3-fold CV accuracy (raw pixels: {baseline:.3f})", fontsize=10)
fig.colorbar(image)
fig.tight_layout()
