"""Virtual adversarial training in semi-supervised fits: a sweep of its move
size on validation splits of three image data sets.

``DBNClassifier((500, 500))`` at its defaults, 10% of the training rows
labeled (the rest marked -1), with ``virtual_adversarial_epsilon`` set to
``rel`` times the mean L2 norm of the training rows, ``rel`` in 0 (off),
0.1 and 0.2. Data, each split 70/30 stratified (``random_state=0``), the
30% being a validation split of training rows, never a test set:

- ``digits``: scikit-learn's 8x8 digits, /16 (1797 rows);
- ``mnist``: the MNIST dev split (``--mnist``, 5000 training digits);
- ``fashion``: the first 5000 of Fashion-MNIST's training images
  (``--fashion``, the .npz written by ``get_fashion_train.py``).

Each fit runs in a worker process on one BLAS thread (``--jobs`` at a time).
Writes ``tools/results/virtual_adversarial.md``: accuracy per seed, the mean
with its standard error, and the mean paired difference from ``rel`` 0.

Run: ``python tools/sweep_virtual_adversarial.py --mnist
../shared/data/mnist_dev.npz --fashion fashion_train.npz`` (about 15
minutes on two cores).
"""

import argparse
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results" / "virtual_adversarial.md"
RELATIVE_SIZES = (0.0, 0.1, 0.2)


def load(name, paths):
    """(X_train, X_val, y_train, y_val) of a data set."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    if name == "digits":
        X, y = load_digits(return_X_y=True)
        X = X / 16.0
    else:
        d = np.load(paths[name])
        X, y = d["X"][:5000] / 255.0, d["y"][:5000].astype(int)
    return train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)


def fit_one(name, paths, rel, seed):
    """Validation accuracy of one semi-supervised fit."""
    import warnings

    from threadpoolctl import threadpool_limits

    from skdeep import DBNClassifier

    X_train, X_val, y_train, y_val = load(name, paths)
    labeled = np.random.RandomState(seed).rand(len(y_train)) < 0.1
    epsilon = rel * float(np.linalg.norm(X_train, axis=1).mean())
    clf = DBNClassifier(
        (500, 500),
        unlabeled_label=-1,
        virtual_adversarial_epsilon=epsilon,
        random_state=seed,
    )
    with warnings.catch_warnings(), threadpool_limits(1):
        warnings.simplefilter("ignore")
        clf.fit(X_train, np.where(labeled, y_train, -1))
    return name, rel, seed, clf.score(X_val, y_val)


def table(scores, names, seeds):
    """The results page: one row per data set and move size."""
    lines = [
        "| data | rel. size | "
        + " | ".join(f"seed {s}" for s in seeds)
        + " | mean ± SE | paired gain ± SE |",
        "|---|---|" + "---|" * (len(seeds) + 2),
    ]
    for name in names:
        base = np.array([scores[name, 0.0, s] for s in seeds])
        for rel in RELATIVE_SIZES:
            acc = np.array([scores[name, rel, s] for s in seeds])
            gain = acc - base
            se = acc.std(ddof=1) / np.sqrt(len(acc))
            gain_se = gain.std(ddof=1) / np.sqrt(len(gain))
            cells = " | ".join(f"{a:.4f}" for a in acc)
            paired = "" if rel == 0 else f"{gain.mean():+.4f} ± {gain_se:.4f}"
            lines.append(
                f"| {name} | {rel:g} | {cells} | {acc.mean():.4f} ± {se:.4f} "
                f"| {paired} |"
            )
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mnist", help="the MNIST dev split (.npz)")
    parser.add_argument("--fashion", help="Fashion-MNIST's training images")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    paths = {"mnist": args.mnist, "fashion": args.fashion}
    names = ["digits"] + [name for name in ("mnist", "fashion") if paths[name]]
    runs = [(n, paths, r, s) for n in names for s in args.seeds for r in RELATIVE_SIZES]
    scores = {}
    with ProcessPoolExecutor(args.jobs) as pool:
        for name, rel, seed, score in pool.map(fit_one, *zip(*runs, strict=True)):
            scores[name, rel, seed] = score
            print(f"{name} rel={rel:g} seed={seed}: {score:.4f}", flush=True)
    header = (
        "Validation accuracy of `DBNClassifier((500, 500))` with 10% of the "
        "training rows labeled, by the virtual adversarial move's size "
        "relative to the rows' mean L2 norm (`tools/sweep_virtual_adversarial.py`)."
        "\n\n"
    )
    RESULTS.write_text(header + table(scores, names, args.seeds))
    print(RESULTS.read_text())


if __name__ == "__main__":
    main()
