"""What watching a fit costs: ``DBNClassifier()`` at its defaults on the
MNIST dev split, fitted without callbacks, with a ``ProgressBar`` (every
level drawn), and with a ``ScoringMonitor`` scoring every fine-tuning epoch
on the held-out rows, interleaved in rounds (one fit of each after the
other) after one untimed warm-up fit; medians over the rounds and the
median of the same-round ratios.

``--full mnist_train.npz``: the same at full scale, without the monitor:
``DBNClassifier((500, 500), pretrain_iter=3, max_iter=10)`` on the first
50000 of MNIST's training digits (a fixed number of epochs, so that both
fits do the same work; the bar's cost is per epoch, and full-scale epochs
are the longest it divides). Writes ``callbacks_full.md``.

Run: ``python benchmarks/bench_callbacks.py --data mnist_dev.npz`` (about
6 minutes on 2 cores; ``--quick``: smaller fits, for a smoke run). Needs
``rich`` (``pip install "skdeep[progress]"``). Writes
``benchmarks/results/callbacks.md``.
"""

import contextlib
import io
import time

import numpy as np
from _common import RESULTS, SEED, Report, load_mnist, machine, setup
from sklearn.callback import ProgressBar, ScoringMonitor

from skdeep import DBNClassifier

ROUNDS = 5


def fits(X_test, y_test, monitor=True):
    """name -> the callbacks of a fit (a fresh set per fit)."""

    def held_out(estimator, X, y):
        return estimator.score(X_test, y_test)

    kinds = {
        "no callbacks": lambda: [],
        "ProgressBar(max_propagation_depth=None)": lambda: [
            ProgressBar(max_propagation_depth=None)
        ],
    }
    if monitor:
        kinds["ScoringMonitor on the held-out rows"] = lambda: [
            ScoringMonitor(scoring={"accuracy": held_out})
        ]
    return kinds


SIZES = {
    "quick": dict(hidden_layer_sizes=(64,), max_iter=5, pretrain_iter=2),
    "full": dict(hidden_layer_sizes=(500, 500), max_iter=10, pretrain_iter=3),
    "dev": {},
}
NAMES = {
    "quick": "DBNClassifier((64,), 2 + 5 epochs)",
    "full": "DBNClassifier((500, 500), pretrain_iter=3, max_iter=10)",
    "dev": "DBNClassifier() at its defaults",
}


def timed(callbacks, X, y, size):
    model = DBNClassifier(random_state=SEED, **SIZES[size])
    if callbacks:
        model.set_callbacks(*callbacks)
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):  # the bars' drawing
        model.fit(X, y)
    return time.perf_counter() - start, model


def main():
    args, (X_train, X_test, y_train, y_test) = setup(__doc__, full=True)
    size = "full" if args.full else "quick" if args.quick else "dev"
    if size == "full":
        X, y = load_mnist(args.full)
        X_train, X_test, y_train, y_test = X[:50000], X[-10000:], y[:50000], y[-10000:]
    elif size == "quick":
        X_train, y_train = X_train[:500], y_train[:500]
    kinds = fits(X_test, y_test, monitor=size != "full")
    seconds = {name: [] for name in kinds}
    predictions = {}
    timed([], X_train, y_train, size)  # warm-up, not counted
    for _ in range(1 if size == "quick" else ROUNDS):
        for name, callbacks in kinds.items():
            elapsed, model = timed(callbacks(), X_train, y_train, size)
            seconds[name].append(elapsed)
            predictions[name] = model.predict(X_test)
            print(f"{name}: {elapsed:.1f} s", flush=True)
    stem = "callbacks_full" if size == "full" else "callbacks"
    report(seconds, predictions, len(X_train), NAMES[size], stem)


def report(seconds, predictions, n_train, model, stem):
    base = np.asarray(seconds["no callbacks"])
    rows = []
    for name, values in seconds.items():
        ratio = np.median(np.asarray(values) / base)
        same = np.array_equal(predictions[name], predictions["no callbacks"])
        rows.append(
            [name, f"{np.median(values):.1f}", f"{ratio:.3f}", "yes" if same else "no"]
        )
    out = Report()
    out.add(
        f"# What callbacks cost\n\n{machine()}; {model}, MNIST, "
        f"{n_train} training rows; "
        f"{len(base)} interleaved rounds.\n"
    )
    out.table(
        "Fit time with and without callbacks",
        ["callbacks", "fit (s), median", "fit / no callbacks, median", "same model"],
        rows,
    )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{stem}.md").write_text("\n".join(out.lines))


if __name__ == "__main__":
    main()
