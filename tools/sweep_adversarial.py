"""The adversarial step's size for ``StackedAutoencoderClassifier`` on
images: a sweep on validation splits of photographs and digits.

Every fit has all its labels, two hidden layers of 500 units, and every
other setting at its default; ``adversarial_epsilon`` takes each size in
``SIZES`` (the move of every pixel, in [0, 1] units), and
``MLPClassifier`` of the same layers is the reference. Data, validation
splits of training rows only, never a test set:

- ``fashion``: Fashion-MNIST's training images (``--fashion``, the .npz
  written by ``get_fashion_train.py``): 10000 rows drawn stratified with
  the seed from the first 40000, validated on rows 40000 to 50000;
- ``mnist``: MNIST's training digits (``--mnist``, the .npz written by
  ``get_mnist_train.py``): the first 40000, validated on rows 40000 to
  50000;
- ``mnist-dev``: the MNIST dev split (``--mnist-dev``), 70/30 stratified
  (``random_state=0``), the 30% validating.

In both large sets the last 10000 rows, the benchmarks' held-out test
set, are never read. scikit-learn's 8x8 digits have 64 features, below
the 100 from which "auto" moves images at all, so they need no sweep.

Each fit runs in a worker process on one BLAS thread (``--jobs`` at a
time). Writes ``tools/results/adversarial.md``: validation accuracy per
seed, the mean with its standard error, and the mean paired difference
from the first size's.

Run: ``python tools/sweep_adversarial.py --fashion fashion_train.npz
--mnist-dev ../shared/data/mnist_dev.npz`` (about 20 minutes on two cores;
``--mnist mnist_train.npz`` adds the full-size digits, 40000 rows a fit).
"""

import argparse
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))
from _common import mean_and_error  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "adversarial.md"
SIZES = (0.1, 0.05, 0.2)
MLP = "MLPClassifier"
SEEDS = {"fashion": (0, 1, 2, 3), "mnist": (0, 1), "mnist-dev": (0, 1, 2, 3, 4)}


def load(name, path, seed):
    """(X_train, X_val, y_train, y_val) of a data set."""
    from sklearn.model_selection import train_test_split

    d = np.load(path)
    X, y = d["X"].reshape(len(d["X"]), -1) / 255.0, d["y"].astype(int)
    if name == "mnist-dev":
        return train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
    if name == "mnist":
        return X[:40000], X[40000:50000], y[:40000], y[40000:50000]
    pool = np.arange(40000)
    train, _ = train_test_split(
        pool, train_size=10000, stratify=y[pool], random_state=seed
    )
    return X[train], X[40000:50000], y[train], y[40000:50000]


def fit_one(name, path, size, seed):
    """Validation accuracy of one fit (``size``: the adversarial step's, or
    ``MLP`` for the reference)."""
    import warnings

    from sklearn.neural_network import MLPClassifier
    from threadpoolctl import threadpool_limits

    from skdeep import StackedAutoencoderClassifier

    X_train, X_val, y_train, y_val = load(name, path, seed)
    if size == MLP:
        clf = MLPClassifier((500, 500), random_state=seed)
    else:
        clf = StackedAutoencoderClassifier(
            (500, 500), adversarial_epsilon=size, random_state=seed
        )
    with warnings.catch_warnings(), threadpool_limits(1):
        warnings.simplefilter("ignore")
        clf.fit(X_train, y_train)
    return name, size, seed, clf.score(X_val, y_val)


def table(scores, names):
    """The results page: one row per data set and size."""
    lines = [
        "| data | adversarial_epsilon | accuracy by seed | mean +- SE "
        f"| minus {SIZES[0]} +- SE |",
        "|---|---|---|---|---|",
    ]
    for name in names:
        seeds = SEEDS[name]
        base = np.array([scores[name, SIZES[0], s] for s in seeds])
        for size in (*SIZES, MLP):
            found = np.array([scores[name, size, s] for s in seeds])
            cells = [name, str(size), ", ".join(f"{a:.4f}" for a in found)]
            cells.append(mean_and_error(found))
            difference = mean_and_error(found - base, signed=True)
            cells.append("" if size == SIZES[0] else difference)
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fashion", help="Fashion-MNIST's 60000 training images")
    parser.add_argument("--mnist", help="MNIST's 60000 training digits")
    parser.add_argument("--mnist-dev", help="the MNIST dev split")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    paths = {"fashion": args.fashion, "mnist": args.mnist, "mnist-dev": args.mnist_dev}
    names = [name for name, path in paths.items() if path]
    jobs = [
        (name, paths[name], size, seed)
        for name in names
        for seed in SEEDS[name]
        for size in (*SIZES, MLP)
    ]
    scores = {}
    with ProcessPoolExecutor(args.jobs) as pool:
        for name, size, seed, accuracy in pool.map(fit_one, *zip(*jobs, strict=True)):
            scores[name, size, seed] = accuracy
            print(name, size, seed, f"{accuracy:.4f}", flush=True)
    text = (
        "Validation accuracy of `StackedAutoencoderClassifier((500, 500))` with "
        "all labels, by the adversarial step's size, and of `MLPClassifier` of "
        "the same layers (`tools/sweep_adversarial.py`).\n\n" + table(scores, names)
    )
    RESULTS.write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
