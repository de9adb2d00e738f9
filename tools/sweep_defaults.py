"""The sweep behind skdeep's defaults, across kinds of data, in one run.

Each candidate value of a default is scored on every dataset below with the
other parameters at their defaults; the table shows why each default is what
it is (a value that wins on one dataset and loses on the others is not a
default). Datasets:

- ``digits``: sklearn's 8x8 digits / 16, 5-fold stratified CV;
- ``MNIST``: the development split of ``shared/data/mnist_dev.npz`` (pixels /
  255, 70/30 stratified, ``random_state=0``), all labels, or 10% labels for
  the semi-supervised settings;
- ``MNIST std``: the same split behind a ``StandardScaler`` (Gaussian
  visibles, an identity decoder);
- ``breast cancer``, ``wine``: standardized, 5-fold stratified CV.

Classifiers are scored by accuracy; the autoencoder by LogisticRegression on
its features (``(500,)`` units on MNIST, 256 elsewhere).

Run: ``python tools/sweep_defaults.py --data ../shared/data/mnist_dev.npz``
(about 50 minutes on 2 cores; ``--only dbn|sae|semi|speed`` runs one
part).
Writes ``tools/results/sweep.md``.
"""

import argparse
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.datasets import load_breast_cancer, load_digits, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdeep import DBNClassifier, StackedAutoencoderTransformer

RESULTS = Path(__file__).parent / "results"  # tools/results
SEED = 0

# candidate settings: (label, parameters); the first of each is the old default
DBN_CANDIDATES = [
    ("dropout 0, Adam 1e-3 (old)", dict(dropout=0.0, learning_rate_init=1e-3)),
    ("dropout 0.5, Adam 1e-3", dict(dropout=0.5, learning_rate_init=1e-3)),
    ("dropout 0.2, Adam 2e-3", dict(dropout=0.2, learning_rate_init=2e-3)),
    ("dropout 0.5, Adam 3e-3 (new)", dict(dropout=0.5, learning_rate_init=3e-3)),
]
# pretraining length, minibatch size and input dropout (the speed
# defaults); batch sizes are those "auto" gives on each dataset's training
# rows, old rule (n // 50 within [64, 512]) and new (n // 20)
_OLD_SPEED = dict(pretrain_iter=50, pretrain_tol=0.0, input_dropout=0.0)
_NEW_SPEED = dict(pretrain_iter=20, pretrain_tol=0.05)
SPEED_CANDIDATES = [
    (
        "pretraining 50 epochs, batch n // 50, no input dropout (old)",
        lambda name: dict(_OLD_SPEED, batch_size=70 if "MNIST" in name else 64),
    ),
    (
        "pretraining to a plateau (tol 0.05, at most 20), batch n // 20, "
        "no input dropout",
        dict(_NEW_SPEED, input_dropout=0.0),
    ),
    (
        "the same, input dropout 0.2",
        dict(_NEW_SPEED, input_dropout=0.2),
    ),
    (
        'the same, input dropout "auto": 0.2 from 100 features (new)',
        dict(_NEW_SPEED, input_dropout="auto"),
    ),
]
SEMI_CANDIDATES = [
    ("none", dict(pseudo_labels="none")),
    ("network (Lee 2013)", dict(pseudo_labels="network")),
    ("propagation (new)", dict(pseudo_labels="propagation")),
]
_OLD_SAE = dict(corruption=0.0, sparsity_weight=0.1, sparsity_target=0.05)
_SIGMOID = dict(activation="sigmoid", max_iter=0, sparsity_target=0.1)
SAE_CANDIDATES = [
    ("relu, KL 0.05 x 0.1, no noise (old)", _OLD_SAE),
    ("relu, KL 0.05 x 0.1, noise 0.3", dict(_OLD_SAE, corruption=0.3)),
    (
        "relu, KL 0.05 x 3, noise 0.3 (new: auto is 0.05 from 100 units)",
        dict(corruption=0.3, sparsity_weight=3.0, sparsity_target="auto"),
    ),
    (
        "sigmoid, KL 0.1 x 3, noise 0.3, no tuning epochs",
        dict(_SIGMOID, corruption=0.3, sparsity_weight=3.0),
    ),
]


def load_datasets(path):
    """name -> (X, y, split or None): None means 5-fold CV."""
    digits_X, digits_y = load_digits(return_X_y=True)
    data = np.load(path)
    X, y = data["X"] / 255.0, data["y"].astype(int)
    split = train_test_split(
        np.arange(len(y)), test_size=0.3, stratify=y, random_state=SEED
    )
    out = {"digits": (digits_X / 16.0, digits_y, None)}
    out["MNIST"] = (X, y, split)
    out["MNIST std"] = (X, y, split)
    for name, loader in (("breast cancer", load_breast_cancer), ("wine", load_wine)):
        out[name] = (*loader(return_X_y=True), None)
    return out


def standardized(name):
    return name in ("MNIST std", "breast cancer", "wine")


def score(model, X, y, split, labeled_fraction=None):
    """Test accuracy on the split (10% labels when asked), else 5-fold CV."""
    if split is None:
        cv = StratifiedKFold(n_splits=5, shuffle=True, random_state=SEED)
        return float(np.mean(cross_val_score(model, X, y, cv=cv)))
    train, test = split
    y_train = y[train]
    if labeled_fraction is not None:
        draws = np.random.RandomState(SEED).rand(len(train))
        y_train = np.where(draws < labeled_fraction, y_train, -1)
    return model.fit(X[train], y_train).score(X[test], y[test])


def dbn_model(name, params, semi=False):
    shape = (500, 500) if name.startswith("MNIST") else (256,)
    extra = dict(unlabeled_label=-1) if semi else {}
    params = params(name) if callable(params) else params
    clf = DBNClassifier(shape, random_state=SEED, **params, **extra)
    return make_pipeline(StandardScaler(), clf) if standardized(name) else clf


def sae_model(name, params):
    shape = (500,) if name.startswith("MNIST") else (256,)
    sae = StackedAutoencoderTransformer(shape, random_state=SEED, **params)
    steps = [StandardScaler()] if standardized(name) else []
    return make_pipeline(*steps, sae, LogisticRegression(max_iter=1000))


def sweep(title, candidates, datasets, make, labeled_fraction=None):
    header = ["setting", *datasets]
    lines = [f"### {title}", "", "| " + " | ".join(header) + " |"]
    lines.append("|" + "---|" * len(header))
    for label, params in candidates:
        cells = []
        for name, (X, y, split) in datasets.items():
            start = time.perf_counter()
            accuracy = score(make(name, params), X, y, split, labeled_fraction)
            cells.append(f"{accuracy:.4f} ({time.perf_counter() - start:.0f} s)")
            print(label, name, cells[-1], flush=True)
        lines.append("| " + " | ".join([label, *cells]) + " |")
    text = "\n".join(lines) + "\n"
    print(text, flush=True)
    return text


def parts(datasets):
    """part name -> (title, candidates, datasets, make model, labeled fraction)."""
    return {
        "sae": (
            "StackedAutoencoderTransformer + LogisticRegression",
            SAE_CANDIDATES,
            datasets,
            sae_model,
            None,
        ),
        "semi": (
            "DBNClassifier pseudo_labels, 10% labels",
            SEMI_CANDIDATES,
            {"MNIST": datasets["MNIST"]},
            lambda name, params: dbn_model(name, params, semi=True),
            0.1,
        ),
        "dbn": ("DBNClassifier fine-tuning", DBN_CANDIDATES, datasets, dbn_model, None),
        "speed": (
            "DBNClassifier pretraining length, batch size, input dropout",
            SPEED_CANDIDATES,
            datasets,
            dbn_model,
            None,
        ),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="mnist_dev.npz")
    parser.add_argument("--only", choices=["dbn", "sae", "semi", "speed"])
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    texts = [
        sweep(title, candidates, data, make, labeled_fraction=fraction)
        for name, (title, candidates, data, make, fraction) in parts(
            load_datasets(args.data)
        ).items()
        if args.only in (None, name)
    ]
    RESULTS.mkdir(exist_ok=True)
    suffix = f"_{args.only}" if args.only else ""
    (RESULTS / f"sweep{suffix}.md").write_text("\n".join(texts))


if __name__ == "__main__":
    main()
