"""Features learned without labels: the autoencoder against scikit-learn's
``BernoulliRBM``, under the same ``LogisticRegression``, over seeds.

For each data set, each feature extractor is fitted on the training rows
without their labels (model seeds 0, 1, 2; the split stays fixed), and a
``LogisticRegression(max_iter=1000)`` is trained on its features of the
labeled training rows and scored on the test rows. The table gives the test
accuracy (mean +- standard error over seeds), the mean smoothness of the
first-layer filters and the median fit time:

- ``StackedAutoencoderTransformer`` at its defaults (256 units), with
  ``corruption=0.5`` (the masking noise of Vincent et al., 2010), and at
  500 units;
- ``DBNTransformer`` at its defaults;
- ``BernoulliRBM`` at its defaults (256 units), and with the settings of
  scikit-learn's own RBM example (``learning_rate=0.06, n_iter=20``) at
  256 and 500 units;
- raw pixels.

Smoothness is the correlation between horizontally and vertically
neighbouring weights of a filter (its weights seen as an image), averaged
over the two directions and over filters: near 1 for filters made of
strokes and blobs, near 0 for speckle. Below each table, the paired
difference (same seed) of the default autoencoder against each RBM.

Data: the MNIST development split (``shared/data/README.md``: a stratified
70/30 split, ``random_state=0``; ``--data`` or ``fetch_openml``),
Fashion-MNIST's first 5000 training images split the same way (``--fashion
PATH``, a local ``.npz`` with keys ``X`` and ``y``; skipped without it),
and scikit-learn's digits (the same split, pixels / 16).

Run: ``python benchmarks/bench_features.py --data ../shared/data/mnist_dev.npz
--fashion fashion_train.npz`` (about 15 minutes on 2 cores; ``--quick``: one
seed). Writes ``benchmarks/results/features.md``.
"""

import argparse
import time
import warnings

import numpy as np
from _common import RESULTS, Report, load_mnist, machine, mean_and_error
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neural_network import BernoulliRBM

from skdeep import DBNTransformer, StackedAutoencoderTransformer

HEADER = ["features", "accuracy", "filter smoothness", "fit (s)"]
DEFAULT = "StackedAutoencoderTransformer()"


def extractors():
    """name -> make(seed): the feature extractors compared."""
    rbm_example = dict(learning_rate=0.06, n_iter=20)
    return {
        DEFAULT: lambda s: StackedAutoencoderTransformer(random_state=s),
        "StackedAutoencoderTransformer(corruption=0.5)": lambda s: (
            StackedAutoencoderTransformer(corruption=0.5, random_state=s)
        ),
        "StackedAutoencoderTransformer((500,))": lambda s: (
            StackedAutoencoderTransformer((500,), random_state=s)
        ),
        "DBNTransformer()": lambda s: DBNTransformer(random_state=s),
        "BernoulliRBM()": lambda s: BernoulliRBM(random_state=s),
        "BernoulliRBM(256, learning_rate=0.06, n_iter=20)": lambda s: BernoulliRBM(
            256, random_state=s, **rbm_example
        ),
        "BernoulliRBM(500, learning_rate=0.06, n_iter=20)": lambda s: BernoulliRBM(
            500, random_state=s, **rbm_example
        ),
    }


def smoothness(filters):
    """Mean correlation of horizontally and vertically neighbouring weights
    of square filters (one per row), averaged over filters."""
    filters = np.asarray(filters, dtype=float)
    side = int(round(np.sqrt(filters.shape[1])))
    images = filters.reshape(len(filters), side, side)

    def correlation(a, b):
        a = a.reshape(len(a), -1) - a.mean(axis=(1, 2))[:, None]
        b = b.reshape(len(b), -1) - b.mean(axis=(1, 2))[:, None]
        norms = np.sqrt((a * a).sum(axis=1) * (b * b).sum(axis=1))
        return (a * b).sum(axis=1) / np.maximum(norms, np.finfo(float).tiny)

    across = correlation(images[:, :, :-1], images[:, :, 1:])
    down = correlation(images[:, :-1, :], images[:, 1:, :])
    return float(np.mean((across + down) / 2))


def first_layer(model):
    """First-layer filters, one per row."""
    if isinstance(model, BernoulliRBM):
        return model.components_
    return model.coefs_[0].T


def measure(make, split, seeds):
    """(accuracies, smoothness values, fit seconds) over seeds."""
    X_train, X_test, y_train, y_test = split
    accuracies, smooth, seconds = [], [], []
    for seed in seeds:
        model = make(seed)
        start = time.perf_counter()
        model.fit(X_train)
        seconds.append(time.perf_counter() - start)
        clf = LogisticRegression(max_iter=1000).fit(model.transform(X_train), y_train)
        accuracies.append(clf.score(model.transform(X_test), y_test))
        smooth.append(smoothness(first_layer(model)))
    return accuracies, smooth, seconds


def compare(report, name, split, seeds):
    """One data set's table and the paired differences below it."""
    found = {key: measure(make, split, seeds) for key, make in extractors().items()}
    X_train, X_test, y_train, y_test = split
    raw = LogisticRegression(max_iter=1000).fit(X_train, y_train)
    rows = [
        [key, mean_and_error(acc), f"{np.mean(sm):.3f}", f"{np.median(sec):.1f}"]
        for key, (acc, sm, sec) in found.items()
    ]
    rows.append(["raw pixels", f"{raw.score(X_test, y_test):.4f}", "", ""])
    report.table(
        f"{name}: {len(y_train)} training rows, {len(y_test)} test rows",
        HEADER,
        rows,
    )
    ours = np.asarray(found[DEFAULT][0])
    lines = [
        f"- {DEFAULT} - {key}: "
        f"{mean_and_error(ours - np.asarray(acc))} (paired over seeds)"
        for key, (acc, _, _) in found.items()
        if key.startswith("BernoulliRBM")
    ]
    report.add("\n".join(lines) + "\n")


def data_sets(args):
    """name -> (X_train, X_test, y_train, y_test)."""
    sets = {"MNIST development split": load_mnist(args.data)}
    if args.fashion:
        fashion = np.load(args.fashion)
        X, y = fashion["X"][:5000] / 255.0, fashion["y"][:5000].astype(int)
        sets["Fashion-MNIST, first 5000 training images"] = (X, y)
    X, y = load_digits(return_X_y=True)
    sets["scikit-learn's digits (8x8)"] = (X / 16, y)
    return {
        name: train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
        for name, (X, y) in sets.items()
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="local .npz of MNIST digits (X uint8, y)")
    parser.add_argument("--fashion", help="local .npz of Fashion-MNIST images")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    seeds = (0,) if args.quick else (0, 1, 2)
    report = Report()
    report.add(
        "# Features learned without labels\n\n"
        f"{machine()}; model seeds {', '.join(map(str, seeds))}.\n"
    )
    for name, split in data_sets(args).items():
        compare(report, name, split, seeds)
    if not args.quick:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "features.md").write_text("\n".join(report.lines))


if __name__ == "__main__":
    main()
