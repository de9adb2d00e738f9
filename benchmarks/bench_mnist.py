"""Pretraining on real 28x28 digits: skdeep against scikit-learn, one run.

Sections, each printed as a markdown table and written with a plot to
``benchmarks/results/`` (``mnist.md``, ``mnist.png``):

1. accuracy against the fraction of labeled training rows (1 to 100%) for
   ``DBNClassifier((500, 500), unlabeled_label=-1)``, the autoencoder route
   (``StackedAutoencoderTransformer((500,))`` fitted on every row, then
   ``LogisticRegression`` on the labeled ones), ``MLPClassifier((500, 500))``
   on the labeled rows, ``LabelSpreading(kernel="knn")`` and
   ``SelfTrainingClassifier(MLPClassifier((500, 500)))`` (at 10% labels
   only: it refits its MLP up to 10 times), all at their defaults, with
   their fit times;
2. features + ``LogisticRegression`` (all labels and 10%) for
   ``StackedAutoencoderTransformer((500,))``, ``DBNTransformer((500,))``,
   ``BernoulliRBM(500, learning_rate=0.06, n_iter=20)`` (sklearn's own
   example settings) and raw pixels;
3. standardized inputs (``StandardScaler`` first, so ``visible_units="auto"``
   picks Gaussian visibles): MNIST, and 5-fold CV on two real-valued
   datasets bundled with sklearn (breast cancer, wine), DBNClassifier
   against MLPClassifier of the same shape.

Data: the protocol of ``shared/data/README.md``: pixels / 255, a stratified
70/30 split with ``random_state=0``; the labeled rows of fraction f are those
where ``RandomState(0).rand(n_train) < f``. ``--data PATH`` reads a local
``.npz`` with keys ``X`` (uint8 pixels) and ``y``; without it, MNIST is
fetched with ``fetch_openml("mnist_784")`` and a stratified subset of 5000
rows (``random_state=0``) is used, the size of the development file.

Run: ``python benchmarks/bench_mnist.py --data ../shared/data/mnist_dev.npz``
(about 25 minutes on 2 cores; ``--quick`` runs only the 10% and 100%
fractions and skips self-training).
"""

import time

import numpy as np
from _common import RESULTS, SEED, Report, machine, pyplot, setup
from sklearn.datasets import load_breast_cancer, load_wine
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import (
    StratifiedKFold,
    cross_val_score,
)
from sklearn.neural_network import BernoulliRBM, MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.semi_supervised import LabelSpreading, SelfTrainingClassifier

from skdeep import DBNClassifier, DBNTransformer, StackedAutoencoderTransformer

FRACTIONS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0)
# SelfTrainingClassifier refits its MLP up to 10 times per fit: 2.5 to 6
# minutes per fraction on 2 cores, so it runs at 10% labels only.
SELF_TRAINING_FRACTIONS = (0.1,)
SHAPE = (500, 500)


def timed_score(fit, score):
    """(score after fit, fit seconds)."""
    start = time.perf_counter()
    model = fit()
    seconds = time.perf_counter() - start
    return score(model), seconds


def semi_supervised_models():
    """name -> (make estimator, how it uses the unlabeled rows)."""
    return {
        "DBNClassifier": (
            lambda: DBNClassifier(SHAPE, unlabeled_label=-1, random_state=SEED),
            "semi",
        ),
        "SAE + LogisticRegression": (_sae_route, "transformer"),
        "MLPClassifier (labeled rows)": (
            lambda: MLPClassifier(SHAPE, random_state=SEED),
            "labeled",
        ),
        "LabelSpreading": (lambda: LabelSpreading(kernel="knn"), "semi"),
        "SelfTraining(MLPClassifier)": (
            lambda: SelfTrainingClassifier(MLPClassifier(SHAPE, random_state=SEED)),
            "semi",
        ),
    }


def _sae_route():
    return StackedAutoencoderTransformer((500,), random_state=SEED)


def fit_semi(kind, make, X, y, labeled, cache):
    """Fit one model the way ``kind`` says it uses unlabeled rows.

    The transformer of the autoencoder route sees every row, whatever the
    labels, so it is fitted once (``cache``) and its time added to each fit.
    """
    if kind == "semi":
        return make().fit(X, np.where(labeled, y, -1))
    if kind == "labeled":
        return make().fit(X[labeled], y[labeled])
    if "features" not in cache:
        start = time.perf_counter()
        cache["features"] = make().fit(X)
        cache["seconds"] = time.perf_counter() - start
    features = cache["features"]
    clf = LogisticRegression(max_iter=1000).fit(
        features.transform(X[labeled]), y[labeled]
    )
    return make_pipeline(features, clf)


def label_fraction_curves(report, data, fractions, skip):
    X_train, X_test, y_train, y_test = data
    draws = np.random.RandomState(SEED).rand(len(y_train))
    curves, rows = {}, []
    for name, (make, kind) in semi_supervised_models().items():
        if name in skip:
            continue
        cache = {}
        for fraction in fractions:
            if name.startswith("SelfTraining") and (
                fraction not in SELF_TRAINING_FRACTIONS
            ):
                continue
            labeled = draws < fraction
            accuracy, seconds = timed_score(
                lambda: fit_semi(kind, make, X_train, y_train, labeled, cache),  # noqa: B023
                lambda model: model.score(X_test, y_test),
            )
            seconds += cache.get("seconds", 0.0) if fraction != fractions[0] else 0
            curves.setdefault(name, {})[fraction] = accuracy
            rows.append(
                [
                    name,
                    f"{fraction:.0%}",
                    labeled.sum(),
                    f"{accuracy:.4f}",
                    f"{seconds:.1f}",
                ]
            )
            print(rows[-1], flush=True)
    report.table(
        "Accuracy against the fraction of labeled rows (MNIST, 1500 test rows)",
        ["model", "labels", "labeled rows", "accuracy", "fit (s)"],
        rows,
    )
    return curves


def feature_probes(report, data):
    """LogisticRegression on each transformer's features (all, 10% labels)."""
    X_train, X_test, y_train, y_test = data
    labeled = np.random.RandomState(SEED).rand(len(y_train)) < 0.1
    transformers = {
        "StackedAutoencoderTransformer((500,))": lambda: _sae_route(),
        "DBNTransformer((500,))": lambda: DBNTransformer((500,), random_state=SEED),
        "BernoulliRBM(500, learning_rate=0.06, n_iter=20)": lambda: BernoulliRBM(
            500, learning_rate=0.06, n_iter=20, random_state=SEED
        ),
        "raw pixels": None,
    }
    rows = []
    for name, make in transformers.items():
        start = time.perf_counter()
        model = make().fit(X_train) if make else None
        seconds = time.perf_counter() - start
        F_train = model.transform(X_train) if model else X_train
        F_test = model.transform(X_test) if model else X_test
        scores = []
        for rows_used in (slice(None), labeled):
            clf = LogisticRegression(max_iter=1000)
            clf.fit(F_train[rows_used], y_train[rows_used])
            scores.append(f"{clf.score(F_test, y_test):.4f}")
        rows.append([name, *scores, f"{seconds:.1f}"])
    report.table(
        "Features + LogisticRegression (MNIST)",
        ["features", "all labels", "10% labels", "fit (s)"],
        rows,
    )


def standardized(report, data):
    """DBN against MLP behind a StandardScaler: MNIST, then 5-fold CV tables."""
    X_train, X_test, y_train, y_test = data
    rows = []
    for name, clf in (
        ("MLPClassifier((500, 500))", MLPClassifier(SHAPE, random_state=SEED)),
        ("DBNClassifier((500, 500))", DBNClassifier(SHAPE, random_state=SEED)),
    ):
        accuracy, seconds = timed_score(
            lambda: make_pipeline(StandardScaler(), clf).fit(X_train, y_train),  # noqa: B023
            lambda model: model.score(X_test, y_test),
        )
        rows.append(["MNIST (split)", name, f"{accuracy:.4f}", "", f"{seconds:.1f}"])
    cv = StratifiedKFold(n_splits=5, shuffle=True, random_state=SEED)
    for dataset, loader in (("breast cancer", load_breast_cancer), ("wine", load_wine)):
        X, y = loader(return_X_y=True)
        for name, clf in (
            ("MLPClassifier((500, 500))", MLPClassifier(SHAPE, random_state=SEED)),
            ("DBNClassifier((500, 500))", DBNClassifier(SHAPE, random_state=SEED)),
        ):
            start = time.perf_counter()
            scores = cross_val_score(make_pipeline(StandardScaler(), clf), X, y, cv=cv)
            rows.append(
                [
                    f"{dataset} (5-fold)",
                    name,
                    f"{scores.mean():.4f}",
                    f"{scores.std():.4f}",
                    f"{time.perf_counter() - start:.1f}",
                ]
            )
    report.table(
        "Standardized inputs (StandardScaler first: Gaussian visibles)",
        ["data", "model", "accuracy", "std over folds", "time (s)"],
        rows,
    )


def plot(curves, fractions, path):
    plt = pyplot()
    if plt is None:
        return
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for name, accuracies in curves.items():
        shown = [f for f in fractions if f in accuracies]
        ax.plot(
            [100 * f for f in shown],
            [accuracies[f] for f in shown],
            marker="o",
            label=name,
        )
    ax.set_xscale("log")
    ax.set_xlabel("labeled training rows (%)")
    ax.set_ylabel("test accuracy")
    ax.set_title("MNIST (3500 training rows): accuracy against labels")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=90)


def main():
    args, data = setup(__doc__)
    report = Report()
    report.add(
        f"# MNIST benchmark\n\n{machine()}; {len(data[0])} training rows, "
        f"{len(data[1])} test rows.\n"
    )
    fractions = (0.1, 1.0) if args.quick else FRACTIONS
    skip = {"SelfTraining(MLPClassifier)"} if args.quick else set()
    curves = label_fraction_curves(report, data, fractions, skip)
    feature_probes(report, data)
    standardized(report, data)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "mnist.md").write_text("\n".join(report.lines))
    plot(curves, fractions, RESULTS / "mnist.png")


if __name__ == "__main__":
    main()
