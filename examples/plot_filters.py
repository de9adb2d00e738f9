"""
===================================================
First-layer filters: autoencoder, DBN and sklearn
===================================================

The incoming weights of the first hidden layer, shown as 8x8 images, for a
:class:`~skdeep.StackedAutoencoderTransformer`, a :class:`~skdeep.DBNTransformer`
and scikit-learn's :class:`~sklearn.neural_network.BernoulliRBM` (the
baseline), each with 64 hidden units on digits. Above each panel, the
held-out accuracy of a logistic regression on those features. The skdeep
panels are drawn by :class:`~skdeep.inspection.FiltersDisplay`; sklearn's
RBM by hand, the same way.
"""

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neural_network import BernoulliRBM

from skdeep import DBNTransformer, StackedAutoencoderTransformer
from skdeep.inspection import FiltersDisplay, tile

X, y = load_digits(return_X_y=True)
X = X / 16.0
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)

models = {
    "StackedAutoencoderTransformer": StackedAutoencoderTransformer(
        (64,), random_state=0
    ),
    "DBNTransformer": DBNTransformer((64,), random_state=0),
    "BernoulliRBM": BernoulliRBM(64, random_state=0),
}
fig, panels = plt.subplots(1, 3, figsize=(12, 4.6))
for panel, (name, model) in zip(panels, models.items(), strict=True):
    model.fit(X_train)
    clf = LogisticRegression(max_iter=3000).fit(model.transform(X_train), y_train)
    accuracy = clf.score(model.transform(X_test), y_test)
    print(f"{name:30s} features + LogisticRegression: {accuracy:.4f}")
    if hasattr(model, "coefs_"):
        FiltersDisplay.from_estimator(model, n_filters=64, ax=panel)
    else:
        filters = model.components_ / abs(model.components_).max(axis=1)[:, None]
        panel.imshow(tile(filters, (8, 8), 8), cmap="RdBu_r", interpolation="nearest")
        panel.set_axis_off()
    panel.set_title(f"{name}\naccuracy {accuracy:.3f}", fontsize=9)
fig.tight_layout()
