"""The estimator family against scikit-learn's MLP, one run.

Sections, each printed as a markdown table and written to
``benchmarks/results/family.md``:

1. regression, 5-fold CV (shuffled, ``random_state=0``), standardized inputs
   in a Pipeline: ``DBNRegressor((100,))`` and
   ``StackedAutoencoderRegressor((100,))`` against ``MLPRegressor((100,))``
   at its defaults and with standardized targets
   (``TransformedTargetRegressor``, what skdeep's regressors do inside), on
   sklearn's diabetes data and on Auto MPG (398 cars, the UCI dataset, from
   the ``vega_datasets`` package; skipped when it is not installed);
2. multi-label MNIST: three yes/no attributes of each digit (even, above 4,
   drawn with a loop: 0 6 8 9) as a label-indicator matrix;
   ``DBNClassifier((500,))``, ``StackedAutoencoderClassifier((500,))`` and
   ``MLPClassifier((500,))`` with every label, then with 10% of the rows
   labeled (skdeep's classifiers semi-supervised, the MLP on the labeled
   rows);
3. ``partial_fit`` over 10 chunks of the MNIST training rows against
   ``fit``: the classifiers at their defaults for 20 passes (accuracy), the
   transformers for as many passes as ``fit``'s pretraining ran (a
   LogisticRegression probe).

MNIST follows ``shared/data/README.md``'s protocol as in ``bench_mnist.py``
(``--data PATH`` for a local ``.npz``, else ``fetch_openml``).

Run: ``python benchmarks/bench_family.py --data ../shared/data/mnist_dev.npz``
"""

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import hamming_loss
from sklearn.model_selection import KFold, cross_val_score, train_test_split
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

sys.path.insert(0, str(Path(__file__).parent))
from _common import (  # noqa: E402
    RESULTS,
    SEED,
    Report,
    auto_mpg,
    load_mnist,
    machine,
    probe,
)

import skdeep  # noqa: E402

N_CHUNKS = 10


def regression_models():
    """name -> estimator maker; each goes after a StandardScaler."""
    return {
        "DBNRegressor": lambda: skdeep.DBNRegressor((100,), random_state=SEED),
        "StackedAutoencoderRegressor": lambda: skdeep.StackedAutoencoderRegressor(
            (100,), random_state=SEED
        ),
        "MLPRegressor": lambda: MLPRegressor(
            hidden_layer_sizes=(100,), random_state=SEED
        ),
        "MLPRegressor, standardized y": lambda: TransformedTargetRegressor(
            MLPRegressor(hidden_layer_sizes=(100,), random_state=SEED),
            transformer=StandardScaler(),
        ),
    }


def regression(report):
    datasets = {"diabetes": load_diabetes(return_X_y=True), "Auto MPG": auto_mpg()}
    models = regression_models()
    rows = []
    for data_name, data in datasets.items():
        if data is None:
            report.add("Auto MPG skipped: `pip install vega_datasets` for it.\n")
            continue
        X, y = data
        folds = KFold(5, shuffle=True, random_state=SEED)
        for name, make in models.items():
            start = time.perf_counter()
            scores = cross_val_score(
                make_pipeline(StandardScaler(), make()), X, y, cv=folds
            )
            seconds = (time.perf_counter() - start) / 5
            rows.append(
                [
                    data_name,
                    name,
                    f"{scores.mean():.4f}",
                    f"{scores.std():.4f}",
                    f"{seconds:.2f}",
                ]
            )
    report.table(
        "Regression: R^2 over 5 folds, standardized inputs",
        ["data", "model", "mean R^2", "std", "fit s / fold"],
        rows,
    )


def attributes(y):
    """Even, above 4, drawn with a loop: a (n, 3) label-indicator matrix."""
    return np.column_stack([y % 2 == 0, y > 4, np.isin(y, [0, 6, 8, 9])]).astype(int)


def multilabel(report, data):
    X_train, X_test, y_train, y_test = data
    Y_train, Y_test = attributes(y_train), attributes(y_test)
    labeled = np.random.RandomState(SEED).rand(len(y_train)) < 0.1
    models = {
        "DBNClassifier": lambda: skdeep.DBNClassifier((500,), random_state=SEED),
        "StackedAutoencoderClassifier": lambda: skdeep.StackedAutoencoderClassifier(
            (500,), random_state=SEED
        ),
        "MLPClassifier": lambda: MLPClassifier((500,), random_state=SEED),
    }
    rows = []
    for fraction, mask in (("100%", np.ones_like(labeled)), ("10%", labeled)):
        for name, make in models.items():
            model = make()
            if name == "MLPClassifier":
                X_fit, Y_fit = X_train[mask], Y_train[mask]
            else:
                model.set_params(unlabeled_label=-1)
                X_fit, Y_fit = X_train, np.where(mask[:, None], Y_train, -1)
            start = time.perf_counter()
            model.fit(X_fit, Y_fit)
            seconds = time.perf_counter() - start
            predicted = model.predict(X_test)
            rows.append(
                [
                    fraction,
                    name,
                    f"{np.mean(np.all(predicted == Y_test, axis=1)):.4f}",
                    f"{1 - hamming_loss(Y_test, predicted):.4f}",
                    f"{seconds:.1f}",
                ]
            )
    report.table(
        "Multi-label MNIST (even, above 4, loop): test accuracy",
        ["labels", "model", "exact match", "per label", "fit s"],
        rows,
    )


# Passes of the classifiers' partial_fit over the chunks.
CLASSIFIER_PASSES = 20


def stream(model, X, y, n_passes, **kwargs):
    """``n_passes`` passes of ``partial_fit`` over N_CHUNKS chunks."""
    chunks = np.array_split(np.arange(len(X)), N_CHUNKS)
    for _ in range(n_passes):
        for chunk in chunks:
            if y is None:
                model.partial_fit(X[chunk])
            else:
                model.partial_fit(X[chunk], y[chunk], **kwargs)
    return model


def streaming(report, data):
    rows = [
        _stream_classifier(cls, data)
        for cls in (skdeep.DBNClassifier, skdeep.StackedAutoencoderClassifier)
    ]
    rows += [
        _stream_transformer(cls, data)
        for cls in (skdeep.DBNTransformer, skdeep.StackedAutoencoderTransformer)
    ]
    header = ["model", "metric", "fit", "partial_fit", "difference", "passes"]
    report.table(
        f"partial_fit over {N_CHUNKS} chunks against fit: the classifiers "
        f"{CLASSIFIER_PASSES} passes at the defaults, the transformers as many "
        "passes as fit's pretraining ran",
        header + ["fit s", "stream s"],
        rows,
    )


def _stream_classifier(cls, data):
    """fit, then CLASSIFIER_PASSES passes of partial_fit at the defaults
    (every call fine-tunes, the first pretrain_iter calls also pretrain)."""
    X_train, X_test, y_train, y_test = data
    fitted, fit_seconds = _timed(
        lambda: cls((500,), random_state=SEED).fit(X_train, y_train)
    )
    streamed, stream_seconds = _timed(
        lambda: stream(
            cls((500,), random_state=SEED),
            X_train,
            y_train,
            CLASSIFIER_PASSES,
            classes=np.unique(y_train),
        )
    )
    scores = fitted.score(X_test, y_test), streamed.score(X_test, y_test)
    times = fit_seconds, stream_seconds
    return _stream_row(cls, "accuracy", *scores, *times, CLASSIFIER_PASSES)


def _stream_transformer(cls, data):
    """fit, then as many passes of partial_fit as fit's pretraining ran;
    LogisticRegression probes."""
    X_train = data[0]
    fitted, fit_seconds = _timed(lambda: cls((500,), random_state=SEED).fit(X_train))
    epochs = max(fitted.pretrain_n_iter_)
    streamed, stream_seconds = _timed(
        lambda: stream(cls((500,), random_state=SEED), X_train, None, epochs)
    )
    scores = probe(fitted, data), probe(streamed, data)
    return _stream_row(cls, "probe", *scores, fit_seconds, stream_seconds, epochs)


def _timed(make):
    start = time.perf_counter()
    model = make()
    return model, time.perf_counter() - start


def _stream_row(cls, metric, fitted, streamed, fit_seconds, stream_seconds, epochs):
    return [
        cls.__name__,
        metric,
        f"{fitted:.4f}",
        f"{streamed:.4f}",
        f"{streamed - fitted:+.4f}",
        epochs,
        f"{fit_seconds:.1f}",
        f"{stream_seconds:.1f}",
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="local .npz with keys X (uint8) and y")
    parser.add_argument(
        "--only", choices=["regression", "multilabel", "streaming"], default=None
    )
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    report = Report()
    report.add(f"# Estimator family benchmark\n\n{machine()}.\n")
    if args.only in (None, "regression"):
        regression(report)
    if args.only in (None, "multilabel", "streaming"):
        X, y = load_mnist(args.data)
        data = train_test_split(X, y, test_size=0.3, stratify=y, random_state=SEED)
        if args.only in (None, "multilabel"):
            multilabel(report, data)
        if args.only in (None, "streaming"):
            streaming(report, data)
    RESULTS.mkdir(exist_ok=True)
    name = "family.md" if args.only is None else f"family_{args.only}.md"
    (RESULTS / name).write_text("\n".join(report.lines))


if __name__ == "__main__":
    main()
