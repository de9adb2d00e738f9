"""DBN quality against sklearn's MLPClassifier on digits, in one run.

Prints, each figure measured here on the same splits and seeds:

1. 5-fold stratified CV accuracy, same hidden layer: DBNClassifier
   (backprop) vs MLPClassifier;
2. the same with 10% of the training labels (the rest -1, unlabeled_label=-1)
   vs MLPClassifier on the labeled rows only;
3. 5-fold CV of fine_tuning="up-down" next to "backprop" and MLPClassifier
   with two hidden layers;
4. held-out reconstruction error of inverse_transform(transform(X)) after
   wake-sleep vs after greedy pretraining only.

Run: ``python benchmarks/bench_dbn_accuracy.py`` (a few minutes on 2 cores).
"""

import time
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split
from sklearn.neural_network import MLPClassifier

from skdeep import DBNClassifier, DBNTransformer

X, y = load_digits(return_X_y=True)
X = X / 16.0
CV = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)


def cv_accuracy(name, model):
    start = time.perf_counter()
    scores = cross_val_score(model, X, y, cv=CV)
    print(f"| {name} | {scores.mean():.4f} | {time.perf_counter() - start:.1f} |")
    return scores.mean()


def semi_supervised_accuracy(make, semi, fraction=0.1):
    scores = []
    for fold, (train, test) in enumerate(CV.split(X, y)):
        rng = np.random.default_rng(fold)
        labeled = np.zeros(len(train), dtype=bool)
        labeled[rng.choice(len(train), int(fraction * len(train)), replace=False)] = 1
        if semi:
            model = make().fit(X[train], np.where(labeled, y[train], -1))
        else:
            model = make().fit(X[train][labeled], y[train][labeled])
        scores.append(model.score(X[test], y[test]))
    return float(np.mean(scores))


def main():
    warnings.filterwarnings("ignore", category=UserWarning)
    print("| model (digits, 5-fold CV) | accuracy | time (s) |\n|---|---|---|")
    dbn = cv_accuracy("DBNClassifier((256,)) backprop", DBNClassifier(random_state=0))
    mlp = cv_accuracy("MLPClassifier((256,))", MLPClassifier((256,), random_state=0))
    print(f"\nDBN - MLP: {dbn - mlp:+.4f}\n")

    semi = semi_supervised_accuracy(
        lambda: DBNClassifier(unlabeled_label=-1, random_state=0), True
    )
    base = semi_supervised_accuracy(
        lambda: MLPClassifier((256,), random_state=0), False
    )
    print(
        f"10% labels: DBNClassifier {semi:.4f}, MLPClassifier {base:.4f}, "
        f"lead {semi - base:+.4f}\n"
    )

    print("| model (digits, 5-fold CV) | accuracy | time (s) |\n|---|---|---|")
    hidden = (256, 256)
    cv_accuracy(
        "DBNClassifier up-down, 30 epochs",
        DBNClassifier(hidden, fine_tuning="up-down", max_iter=30, random_state=0),
    )
    cv_accuracy("DBNClassifier backprop", DBNClassifier(hidden, random_state=0))
    cv_accuracy("MLPClassifier", MLPClassifier(hidden, random_state=0))

    train, test = train_test_split(X, random_state=0)
    params = dict(hidden_layer_sizes=(256, 64), random_state=0)
    errors = {}
    for name, model in [
        ("greedy", DBNTransformer(**params)),
        ("wake-sleep 30", DBNTransformer(**params, max_iter=30)),
    ]:
        model.fit(train)
        R = model.inverse_transform(model.transform(test))
        errors[name] = float(np.mean(np.sum((R - test) ** 2, axis=1)))
    print(
        f"\nheld-out reconstruction error (squared, per row): greedy "
        f"{errors['greedy']:.4f}, after wake-sleep {errors['wake-sleep 30']:.4f}"
    )


if __name__ == "__main__":
    main()
