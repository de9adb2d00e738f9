"""
==================================================
Generating digits with an up-down trained DBN
==================================================

:class:`~skdeep.DBNClassifier` with ``fine_tuning="up-down"`` is a generative
model of images and labels (Hinton, Osindero & Teh, 2006): its top RBM
models the penultimate layer together with the label. Clamping a label and
running Gibbs sampling in the top RBM, then a down-pass through the
generative weights, draws an image of that class. The first figure shows one
row per class; the second follows one Gibbs chain. For comparison, the
classification accuracy of the same model on held-out rows is printed next
to a backprop-tuned network.
"""

import sys

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from skdeep import DBNClassifier
from skdeep.inspection import SamplesDisplay

X, y = load_digits(return_X_y=True)
X = X / 16.0
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
hidden = (256, 256)
# A generative model wants its RBMs trained to the end: with up-down,
# pretrain_tol="auto" stops no layer early, so every layer runs
# pretrain_iter=50 epochs.
generative = DBNClassifier(
    hidden,
    fine_tuning="up-down",
    max_iter=30,
    learning_rate_init=0.03,
    random_state=0,
).fit(X_train, y_train)
discriminative = DBNClassifier(hidden, random_state=0).fit(X_train, y_train)
print(f"held-out accuracy, up-down: {generative.score(X_test, y_test):.4f}")
print(f"held-out accuracy, backprop: {discriminative.score(X_test, y_test):.4f}")

# %%
# Eight generated images per class: Gibbs chains of 500 steps, label clamped,
# drawn by :class:`~skdeep.inspection.SamplesDisplay`.
display = SamplesDisplay.from_estimator(
    generative, n_samples=8, n_gibbs_steps=500, random_state=0
)
fig = display.figure_

# %%
# One Gibbs chain with the label clamped to 2. Calling ``sample`` with the
# same ``random_state`` and more steps continues the same chain.
steps = [1, 2, 5, 10, 20, 50, 100, 200, 350, 500]
chain = [generative.sample([2], n_gibbs_steps=k, random_state=1)[0] for k in steps]
fig2, axes2 = plt.subplots(1, len(steps), figsize=(len(steps), 1.6))
for ax, image, k in zip(axes2, chain, steps, strict=True):
    ax.imshow(image.reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
    ax.set_title(f"{k}", fontsize=8)
    ax.set_axis_off()
fig2.suptitle("A Gibbs chain for the label 2 (steps)")
if "sphinx_gallery" not in sys.modules:  # run as a script: save the figure
    fig.savefig("dbn_generated_digits.png", dpi=60)
    fig2.savefig("dbn_gibbs_chain.png", dpi=80)
