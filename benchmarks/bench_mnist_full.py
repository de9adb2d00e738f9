"""Full-scale MNIST: skdeep against scikit-learn and the published figures.

The permutation-invariant protocol the method's figures come from (no
convolutions, no augmentation), all labels and few labels, at the defaults
with two hidden layers of 500 units:

1. all labels: ``DBNClassifier``, ``StackedAutoencoderClassifier`` and
   ``MLPClassifier``, test error, fit time and epochs;
2. 100 / 600 / 1000 / 3000 labels (balanced over the classes, drawn with
   ``RandomState(0)``), the other training rows unlabeled:
   ``DBNClassifier(unlabeled_label=-1)`` against ``MLPClassifier`` on the
   labeled rows and ``LabelSpreading(kernel="knn")`` on every row;
3. the published test errors of the same protocol beside them, and a plot
   of test error against labels (``results/mnist_full.png``).

Data: ``fetch_openml("mnist_784")``, as users load it: its first 60000 rows
train and its last 10000 (the official test digits) test. ``--data PATH``
reads a local ``.npz`` of the 60000 training digits instead (keys ``X``,
uint8 pixels, and ``y``; ``shared/tools/get_mnist_train.py`` writes one);
the script then holds out their last 10000 as its test set and trains on
the first 50000, and says so in its results. ``SelfTrainingClassifier``
is left out: it refits its MLP up to 10 times on growing sets, hours here.

Run: ``python benchmarks/bench_mnist_full.py --data mnist_train.npz``
(about 75 minutes on 2 cores; ``--labels 1000`` runs one label count of
section 2, ``--skip-all`` skips section 1, ``--seeds 0 1`` runs section 1
once per seed).
"""

import argparse
import multiprocessing
import resource
import time
import warnings

import numpy as np
from _common import (
    RESULTS,
    SEED,
    Report,
    load_mnist,
    machine,
    mean_and_error,
    pyplot,
)
from sklearn.datasets import fetch_openml
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from sklearn.semi_supervised import LabelSpreading

from skdeep import DBNClassifier, StackedAutoencoderClassifier

SHAPE = (500, 500)
LABEL_COUNTS = (100, 600, 1000, 3000)

# Test errors (%) on the official test digits, permutation-invariant MNIST:
# {method: {labels (None: all 60000): error}}.
PUBLISHED = {
    "deep belief net (Hinton, Osindero & Teh 2006)": {None: 1.25},
    "DBN, dropout fine-tuning (Srivastava et al. 2014)": {None: 0.92},
    "DBM, dropout fine-tuning (Srivastava et al. 2014)": {None: 0.79},
    "DAE pretraining + pseudo-labels (Lee 2013)": {
        100: 10.49,
        600: 5.03,
        1000: 3.46,
        3000: 2.69,
    },
    "M1+M2 (Kingma et al. 2014)": {100: 3.33, 1000: 2.40},
    "virtual adversarial training (Miyato et al. 2016)": {
        100: 2.12,
        1000: 1.32,
        None: 0.64,
    },
    "adversarial training (Goodfellow et al. 2015)": {None: 0.78},
    "ladder network (Rasmus et al. 2015)": {100: 1.06, 1000: 0.84, None: 0.57},
}


def load(path):
    """(X_train, X_test, y_train, y_test, what the test set is)."""
    if path is not None:
        X, y = load_mnist(path)
        test = "the last 10000 of the 60000 training digits, held out"
        return X[:-10000], X[-10000:], y[:-10000], y[-10000:], test
    X, y = fetch_openml("mnist_784", version=1, return_X_y=True, as_frame=False)
    X, y = X / 255.0, y.astype(int)
    test = "the official 10000 test digits"
    return X[:60000], X[60000:], y[:60000], y[60000:], test


def balanced_labels(y, n_labels, seed=SEED):
    """A mask of n_labels rows, n_labels / n_classes of each class, drawn
    with ``RandomState(seed)``."""
    rng = np.random.RandomState(seed)
    classes = np.unique(y)
    per_class = n_labels // len(classes)
    mask = np.zeros(len(y), dtype=bool)
    for c in classes:
        mask[rng.permutation(np.flatnonzero(y == c))[:per_class]] = True
    return mask


def error_and_time(model, X, y, X_test, y_test):
    """(test error in %, fit seconds, epochs or "", peak memory in MB), the
    fit run in a forked process that holds the data, so that its peak
    resident memory is this fit's (data included)."""

    def fit(queue):
        start = time.perf_counter()
        model.fit(X, y)
        seconds = time.perf_counter() - start
        error = 100 * (1 - model.score(X_test, y_test))
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        queue.put((error, seconds, getattr(model, "n_iter_", ""), peak))

    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    process = context.Process(target=fit, args=(queue,))
    process.start()
    process.join()  # the result is a few numbers: the queue never blocks it
    if process.exitcode != 0:
        raise RuntimeError(f"the fit's process ended with code {process.exitcode}")
    return queue.get()


def all_labels(report, data, seeds):
    """Section 1, one MLP, DBN and autoencoder classifier per seed (each
    ratio against its seed's MLP); returns {model: error} of the first."""
    X_train, X_test, y_train, y_test = data
    rows, errors = [], {}
    for seed in seeds:
        models = {
            "MLPClassifier((500, 500))": MLPClassifier(SHAPE, random_state=seed),
            "DBNClassifier((500, 500))": DBNClassifier(SHAPE, random_state=seed),
            "StackedAutoencoderClassifier((500, 500))": StackedAutoencoderClassifier(
                SHAPE, random_state=seed
            ),
        }
        mlp_seconds = None
        for name, model in models.items():
            error, seconds, epochs, peak = error_and_time(
                model, X_train, y_train, X_test, y_test
            )
            mlp_seconds = mlp_seconds or seconds
            errors.setdefault(name, error)
            ratio = f"{seconds / mlp_seconds:.2f}"
            rows.append(
                [name, seed, f"{error:.2f}", f"{seconds:.0f}", ratio, epochs]
                + [f"{peak:.0f}"]
            )
            print(rows[-1], flush=True)
    report.table(
        f"All {len(y_train)} labels",
        ["model", "seed", "test error (%)", "fit (s)", "fit / MLP's", "epochs"]
        + ["peak (MB)"],
        rows,
    )
    return errors


def few_label_models(seed, vat):
    """{name: (model, which rows it fits)} of section 2 for one seed; with
    ``vat``, a DBN with virtual adversarial training of that size too."""
    dbn = "DBNClassifier((500, 500), unlabeled_label=-1"
    models = {
        f"{dbn})": (DBNClassifier(SHAPE, unlabeled_label=-1, random_state=seed), "semi")
    }
    if vat:
        models[f"{dbn}, virtual_adversarial_epsilon={vat:g})"] = (
            DBNClassifier(
                SHAPE,
                unlabeled_label=-1,
                virtual_adversarial_epsilon=vat,
                random_state=seed,
            ),
            "semi",
        )
    models["MLPClassifier((500, 500)), labeled rows"] = (
        MLPClassifier(SHAPE, random_state=seed),
        "labeled",
    )
    models['LabelSpreading(kernel="knn")'] = (LabelSpreading(kernel="knn"), "semi")
    return models


def few_labels(report, data, counts, seeds, vat):
    """Section 2, once per seed (the labeled rows drawn and the models
    seeded with it); returns {model: {labels: mean error}}."""
    X_train, X_test, y_train, y_test = data
    rows, errors = [], {}
    for n_labels in counts:
        for seed in seeds:
            labeled = balanced_labels(y_train, n_labels, seed)
            for name, (model, kind) in few_label_models(seed, vat).items():
                if kind == "semi":
                    X, y = X_train, np.where(labeled, y_train, -1)
                else:
                    X, y = X_train[labeled], y_train[labeled]
                error, seconds, _, peak = error_and_time(model, X, y, X_test, y_test)
                errors.setdefault((name, n_labels), []).append(error)
                rows.append(
                    [name, n_labels, seed, f"{error:.2f}", f"{seconds:.0f}"]
                    + [f"{peak:.0f}"]
                )
                print(rows[-1], flush=True)
    report.table(
        f"Few labels, the other rows of the {len(y_train)} unlabeled",
        ["model", "labels", "seed", "test error (%)", "fit (s)", "peak (MB)"],
        rows,
    )
    if len(seeds) > 1:
        summary(report, errors, seeds)
    curves = {}
    for (name, n_labels), values in errors.items():
        curves.setdefault(name, {})[n_labels] = float(np.mean(values))
    return curves


def summary(report, errors, seeds):
    """Mean test error over the seeds, with its standard error."""
    rows = []
    for (name, n_labels), values in errors.items():
        rows.append([name, n_labels, mean_and_error(values), len(values)])
    report.table(
        f"Few labels: mean test error (%) +- standard error over seeds {seeds}",
        ["model", "labels", "test error (%)", "seeds"],
        rows,
    )


def published(report):
    rows = [
        [method, "all" if labels is None else labels, f"{error:.2f}"]
        for method, errors in PUBLISHED.items()
        for labels, error in errors.items()
    ]
    report.table(
        "Published test errors, same protocol (official test digits)",
        ["method", "labels", "test error (%)"],
        rows,
    )


def plot(curves, everything, n_train, path):
    """Test error against labels, skdeep's and sklearn's runs as lines, the
    published figures as markers (all labels drawn at n_train)."""
    plt = pyplot()
    if plt is None:
        return
    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    for name, errors in curves.items():
        labels = sorted(errors)
        ax.plot(labels, [errors[n] for n in labels], marker="o", label=name)
    for name, error in everything.items():
        ax.plot([n_train], [error], marker="s", linestyle="", label=f"{name}, all")
    for method, errors in PUBLISHED.items():
        points = sorted((n_train if n is None else n, e) for n, e in errors.items())
        ax.plot(*zip(*points, strict=True), marker="x", linestyle=":", label=method)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("labeled training digits")
    ax.set_ylabel("test error (%)")
    ax.set_title("Permutation-invariant MNIST: test error against labels")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=6.5)
    fig.tight_layout()
    fig.savefig(path, dpi=90)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="local .npz of the 60000 training digits")
    parser.add_argument("--labels", type=int, nargs="*", default=list(LABEL_COUNTS))
    parser.add_argument("--skip-all", action="store_true")
    parser.add_argument("--seeds", type=int, nargs="+", default=[SEED])
    parser.add_argument(
        "--vat", type=float, default=0.0, help="add a DBN with this VAT size"
    )
    parser.add_argument("--out", default="mnist_full", help="results file stem")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    *data, test = load(args.data)
    report = Report()
    report.add(
        f"# Full-scale MNIST\n\n{machine()}; {len(data[0])} training digits; "
        f"test set: {test}; seeds {args.seeds}.\n"
    )
    everything = {} if args.skip_all else all_labels(report, data, args.seeds)
    curves = few_labels(report, data, args.labels, args.seeds, args.vat)
    published(report)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.out}.md").write_text("\n".join(report.lines))
    plot(curves, everything, len(data[0]), RESULTS / f"{args.out}.png")


if __name__ == "__main__":
    main()
