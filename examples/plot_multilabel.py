"""
=====================================================
Multi-label classification with few labels
=====================================================

Each digit gets three yes/no attributes: is it even, is it above 4, is it
drawn with a closed loop (0, 6, 8, 9)? ``y`` is a label-indicator matrix, as
:class:`~sklearn.neural_network.MLPClassifier` takes it: the classifiers
then have one sigmoid output per label. Only 10% of the training rows keep
their labels; the others are whole rows of ``-1``.
:class:`~skdeep.StackedAutoencoderClassifier` with ``unlabeled_label=-1``
pretrains on every row and fine-tunes on the labeled rows and on labels
propagated over the graph of its codes; the MLP learns from the labeled rows
only. Accuracy per attribute on held-out digits.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

from skdeep import StackedAutoencoderClassifier

X, digit = load_digits(return_X_y=True)
X = X / 16.0
Y = np.column_stack([digit % 2 == 0, digit > 4, np.isin(digit, [0, 6, 8, 9])])
Y = Y.astype(int)
names = ["even", "above 4", "loop"]
X_train, X_test, Y_train, Y_test = train_test_split(X, Y, random_state=0)
labeled = np.random.default_rng(0).random(len(X_train)) < 0.1
Y_semi = np.where(labeled[:, np.newaxis], Y_train, -1)

sae = StackedAutoencoderClassifier((128,), unlabeled_label=-1, random_state=0)
sae.fit(X_train, Y_semi)
mlp = MLPClassifier((128,), max_iter=1000, random_state=0)
mlp.fit(X_train[labeled], Y_train[labeled])

results = {}
for name, model in [("StackedAutoencoderClassifier", sae), ("MLPClassifier", mlp)]:
    predicted = model.predict(X_test)
    results[name] = (predicted == Y_test).mean(axis=0)
    exact = np.all(predicted == Y_test, axis=1).mean()
    print(f"{name:30s} per label {np.round(results[name], 3)}, all three {exact:.3f}")

fig, ax = plt.subplots(figsize=(6, 3.5))
width = 0.38
for i, (name, accuracy) in enumerate(results.items()):
    ax.bar(np.arange(3) + (i - 0.5) * width, accuracy, width, label=name)
ax.set_xticks(np.arange(3), names)
ax.set_ylim(0.5, 1.0)
ax.set_ylabel("test accuracy")
ax.set_title(f"{labeled.sum()} labeled training digits of {len(X_train)}")
ax.legend(loc="lower right")
fig.tight_layout()
plt.show()
