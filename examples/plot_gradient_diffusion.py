"""
==========================================================
Gradient diffusion: random weights vs pretrained weights
==========================================================

Why pretrain? In a deep stack of sigmoid units trained by backpropagation
the error signal shrinks on its way down. This example builds a network with
five sigmoid hidden layers on digits twice, once from random weights
(``pretrain_iter=0``) and once from greedily pretrained RBMs, and measures
the norm of the log-loss gradient of each layer's weights at the start of
backpropagation (the same randomly initialised output layer on both), then
the fine-tuning learning curves and held-out accuracy.
"""

import matplotlib.pyplot as plt
import numpy as np
from scipy.special import expit, softmax
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from skdeep import DBNClassifier

X, y = load_digits(return_X_y=True)
X = X / 16.0
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
hidden = (64, 64, 64, 64, 64)


def layer_gradient_norms(model, X, y):
    """||dL/dW_k|| of every layer at the model's weights (plain backprop)."""
    activations = [X]
    for W, b in zip(model.coefs_, model.intercepts_, strict=True):
        activations.append(expit(activations[-1] @ W + b))
    P = softmax(activations[-1] @ model.output_coef_ + model.output_intercept_, 1)
    delta = (P - np.eye(10)[y]) / len(y)
    grad_A = delta @ model.output_coef_.T
    norms = []
    for k in range(len(model.coefs_) - 1, -1, -1):
        grad_Z = grad_A * activations[k + 1] * (1 - activations[k + 1])
        norms.append(np.linalg.norm(activations[k].T @ grad_Z))
        grad_A = grad_Z @ model.coefs_[k].T
    return norms[::-1]


results = {}
for name, pretrain_iter in [("random weights", 0), ("pretrained (DBN)", 20)]:
    start = DBNClassifier(
        hidden, pretrain_iter=pretrain_iter, max_iter=0, random_state=0
    ).fit(X_train, y_train)
    tuned = DBNClassifier(
        hidden, pretrain_iter=pretrain_iter, max_iter=60, random_state=0
    ).fit(X_train, y_train)
    results[name] = (layer_gradient_norms(start, X_train, y_train), tuned)
    print(
        f"{name:17s} gradient norm per layer (bottom to top): "
        + " ".join(f"{n:.2e}" for n in results[name][0])
        + f"; held-out accuracy after 60 epochs {tuned.score(X_test, y_test):.4f}"
    )

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
for name, (norms, tuned) in results.items():
    left.semilogy(range(1, len(norms) + 1), norms, "o-", label=name)
    right.plot(tuned.loss_curve_, label=name)
left.set_xlabel("hidden layer (1 = bottom)")
left.set_ylabel("gradient norm at the start")
left.legend()
right.set_xlabel("fine-tuning epoch")
right.set_ylabel("training log-loss")
right.legend()
fig.tight_layout()
