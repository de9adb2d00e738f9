"""What watching a fit costs: ``DBNClassifier((500, 500))`` at its defaults
on the MNIST dev split, fitted without callbacks, with a ``ProgressBar``
(every level drawn), and with a ``ScoringMonitor`` scoring every fine-tuning
epoch on the held-out rows, interleaved in rounds (one fit of each after the
other); medians over the rounds and the median of the same-round ratios.

Run: ``python benchmarks/bench_callbacks.py --data mnist_dev.npz`` (about
10 minutes on 2 cores; ``--quick``: smaller fits, for a smoke run). Needs
``rich`` (``pip install "skdeep[progress]"``). Writes
``benchmarks/results/callbacks.md``.
"""

import contextlib
import io
import time

import numpy as np
from _common import RESULTS, SEED, Report, machine, setup
from sklearn.callback import ProgressBar, ScoringMonitor

from skdeep import DBNClassifier

ROUNDS = 3


def fits(X_test, y_test, quick):
    """name -> the callbacks of a fit (a fresh set per fit)."""

    def held_out(estimator, X, y):
        return estimator.score(X_test, y_test)

    return {
        "no callbacks": lambda: [],
        "ProgressBar(max_propagation_depth=None)": lambda: [
            ProgressBar(max_propagation_depth=None)
        ],
        "ScoringMonitor on the held-out rows": lambda: [
            ScoringMonitor(scoring={"accuracy": held_out})
        ],
    }


def timed(callbacks, X, y, quick):
    params = dict(random_state=SEED)
    if quick:
        params |= dict(hidden_layer_sizes=(64,), max_iter=5, pretrain_iter=2)
    model = DBNClassifier(**params)
    if callbacks:
        model.set_callbacks(*callbacks)
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):  # the bars' drawing
        model.fit(X, y)
    return time.perf_counter() - start, model


def main():
    args, (X_train, X_test, y_train, y_test) = setup(__doc__)
    if args.quick:
        X_train, y_train = X_train[:500], y_train[:500]
    kinds = fits(X_test, y_test, args.quick)
    seconds = {name: [] for name in kinds}
    predictions = {}
    for _ in range(1 if args.quick else ROUNDS):
        for name, callbacks in kinds.items():
            elapsed, model = timed(callbacks(), X_train, y_train, args.quick)
            seconds[name].append(elapsed)
            predictions[name] = model.predict(X_test)
            print(f"{name}: {elapsed:.1f} s", flush=True)
    model = (
        "DBNClassifier((64,), 2 + 5 epochs)"
        if args.quick
        else ("DBNClassifier((500, 500)) at its defaults")
    )
    report(seconds, predictions, len(X_train), model)


def report(seconds, predictions, n_train, model):
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
        f"# What callbacks cost\n\n{machine()}; {model}, MNIST dev split, "
        f"{n_train} training rows; "
        f"{len(base)} interleaved rounds.\n"
    )
    out.table(
        "Fit time with and without callbacks",
        ["callbacks", "fit (s), median", "fit / no callbacks, median", "same model"],
        rows,
    )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "callbacks.md").write_text("\n".join(out.lines))


if __name__ == "__main__":
    main()
