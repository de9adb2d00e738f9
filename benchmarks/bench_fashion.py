"""Fashion-MNIST: skdeep against scikit-learn on photographs of clothing.

28x28 grayscale images of 10 kinds of clothing, pixels scaled to [0, 1],
10000 training rows drawn stratified with the seed, every model at its
defaults with two hidden layers of 500 units:

1. all 10000 labels: ``DBNClassifier``, ``StackedAutoencoderClassifier`` and
   ``MLPClassifier``, test accuracy and fit time (each against the MLP's);
2. 1000 labels (100 per class) and 9000 unlabeled rows:
   ``DBNClassifier(unlabeled_label=-1)`` against ``MLPClassifier`` on the
   labeled rows and ``LabelSpreading(kernel="knn")``.

Data: ``fetch_openml("Fashion-MNIST")`` as users load it, tested on its
official 10000 test images; ``--data PATH`` reads a local ``.npz`` of the
60000 training images instead (keys ``X``, ``y``;
``shared/tools/get_fashion_train.py`` writes one), and then holds out the
last 10000 of them as the test set, and says so in its results.

Run: ``python benchmarks/bench_fashion.py --data fashion_train.npz --seeds 0
1 2`` (about 6 minutes a seed on 2 cores; ``--quick``: 2000 rows, small
networks). With several seeds it adds their summary: each model's mean
accuracy and its standard error, its paired difference to the MLP's, and
its fit time against the MLP's seed by seed. Writes
``benchmarks/results/fashion.md``.
"""

import argparse
import time
import warnings

import numpy as np
from _common import RESULTS, Report, machine, mean_and_error
from sklearn.datasets import fetch_openml
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.semi_supervised import LabelSpreading

from skdeep import DBNClassifier, StackedAutoencoderClassifier


def load(path):
    """(X_pool, X_test, y_pool, y_test, what the test set is)."""
    if path is not None:
        data = np.load(path)
        X = data["X"].reshape(len(data["X"]), -1) / 255.0
        y = data["y"].astype(int)
        test = "the last 10000 of the 60000 training images, held out"
        return X[:-10000], X[-10000:], y[:-10000], y[-10000:], test
    X, y = fetch_openml("Fashion-MNIST", version=1, return_X_y=True, as_frame=False)
    X, y = X / 255.0, y.astype(int)
    return X[:60000], X[60000:], y[:60000], y[60000:], "the official 10000 test images"


def models(seed, shape, semi):
    """name -> (model, which rows it fits: "all", "labeled" or "semi")."""
    if semi:
        return {
            "DBNClassifier, unlabeled_label=-1": (
                DBNClassifier(shape, unlabeled_label=-1, random_state=seed),
                "semi",
            ),
            "MLPClassifier, labeled rows": (
                MLPClassifier(shape, random_state=seed),
                "labeled",
            ),
            'LabelSpreading(kernel="knn")': (LabelSpreading(kernel="knn"), "semi"),
        }
    return {
        "MLPClassifier": (MLPClassifier(shape, random_state=seed), "all"),
        "DBNClassifier": (DBNClassifier(shape, random_state=seed), "all"),
        "StackedAutoencoderClassifier": (
            StackedAutoencoderClassifier(shape, random_state=seed),
            "all",
        ),
    }


def rows_for(kind, X, y, labeled):
    if kind == "labeled":
        return X[labeled], y[labeled]
    if kind == "semi":
        return X, np.where(labeled, y, -1)
    return X, y


def section(report, title, data, seed, shape, labeled):
    """Fit and score every model of one setting; a table of the seed's rows,
    and model name -> (accuracy, fit seconds) for the summary."""
    X, y, X_test, y_test = data
    rows, reference, found = [], None, {}
    for name, (model, kind) in models(seed, shape, labeled is not None).items():
        start = time.perf_counter()
        model.fit(*rows_for(kind, X, y, labeled))
        seconds = time.perf_counter() - start
        reference = reference or seconds
        accuracy = model.score(X_test, y_test)
        found[name] = (accuracy, seconds)
        epochs = getattr(model, "n_iter_", "")
        rows.append(
            [name, seed, f"{accuracy:.4f}", f"{seconds:.0f}"]
            + [f"{seconds / reference:.2f}", epochs]
        )
        print(rows[-1], flush=True)
    header = ["model", "seed", "test accuracy", "fit (s)", "fit / first row's"]
    report.table(title, header + ["epochs"], rows)
    return found


def summary(report, title, per_seed, reference):
    """Over seeds: each model's mean accuracy +- SE, its paired difference to
    ``reference`` (mean +- SE of the per-seed differences) and its fit time
    against the reference's, per seed."""
    rows = []
    base = np.array([found[reference][0] for found in per_seed])
    for name in per_seed[0]:
        accuracy = np.array([found[name][0] for found in per_seed])
        ratios = [found[name][1] / found[reference][1] for found in per_seed]
        rows.append(
            [
                name,
                mean_and_error(accuracy),
                mean_and_error(accuracy - base, signed=True)
                if name != reference
                else "",
                ", ".join(f"{r:.2f}" for r in ratios),
            ]
        )
    header = ["model", "test accuracy", f"minus {reference}", "fit / its, by seed"]
    report.table(title, header, rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="local .npz of the 60000 training images")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    X_pool, X_test, y_pool, y_test, test = load(args.data)
    n_train, n_labels = (2000, 200) if args.quick else (10000, 1000)
    shape = (64,) if args.quick else (500, 500)
    report = Report()
    report.add(
        f"# Fashion-MNIST\n\n{machine()}; {n_train} training rows drawn stratified "
        f"from the pool with the seed; test set: {test}; hidden layers {shape}, "
        "every model at its defaults; fit / first row's: against the first "
        "model of the table in the same run.\n"
    )
    full, semi = [], []
    for seed in args.seeds:
        X, _, y, _ = train_test_split(
            X_pool, y_pool, train_size=n_train, stratify=y_pool, random_state=seed
        )
        data = (X, y, X_test, y_test)
        title = f"All {n_train} labels, seed {seed}"
        full.append(section(report, title, data, seed, shape, None))
        picked, _ = train_test_split(
            np.arange(n_train), train_size=n_labels, stratify=y, random_state=seed
        )
        labeled = np.isin(np.arange(n_train), picked)
        title = (
            f"{n_labels} labels and {n_train - n_labels} unlabeled rows, seed {seed}"
        )
        semi.append(section(report, title, data, seed, shape, labeled))
    if len(args.seeds) > 1:
        seeds = ", ".join(str(seed) for seed in args.seeds)
        title = f"All {n_train} labels, mean +- SE over seeds {seeds}"
        summary(report, title, full, "MLPClassifier")
        title = f"{n_labels} labels, mean +- SE over seeds {seeds}"
        summary(report, title, semi, "MLPClassifier, labeled rows")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "fashion.md").write_text("\n".join(report.lines))


if __name__ == "__main__":
    main()
