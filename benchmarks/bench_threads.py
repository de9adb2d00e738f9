"""BLAS threads on a quiet and on a busy machine: fit times of skdeep's thread
policy against every BLAS thread and against one.

skdeep runs a training run whose largest minibatch product is under
``SMALL_PRODUCT`` multiply-adds on one BLAS thread and larger ones on the
process's threads. Each case is fitted three ways, interleaved in rounds:

- ``skdeep``: as shipped;
- ``all threads``: the policy switched off (``SMALL_PRODUCT = 0``, a private
  setting this script alone touches), every product on the process's BLAS
  threads, as ``MLPClassifier`` runs;
- ``one thread``: the whole fit under ``threadpool_limits(1)``.

Twice: on the machine as it is ("quiet"), then with one other process
spinning on one core ("busy"), the state in which a new user on a shared
two-core machine met fits many times slower than with one thread. Medians
over the rounds. ``MLPClassifier`` is timed with all threads and with one
for reference. Run: ``python benchmarks/bench_threads.py --data
../shared/data/mnist_dev.npz`` (about 4 minutes on 2 cores; ``--quick``
for a smoke run). Writes ``benchmarks/results/threads.md``.
"""

import multiprocessing
import time

import numpy as np
from _common import RESULTS, SEED, Report, machine, setup
from sklearn.datasets import load_digits
from sklearn.neural_network import MLPClassifier
from threadpoolctl import threadpool_limits

import skdeep
from skdeep._core import threads


def _spin():
    while True:
        pass


def cases(mnist_X, mnist_y, quick):
    """name -> (make(), X, y): the fits timed, smallest products first."""
    X, y = load_digits(return_X_y=True)
    X = X / 16
    fast = dict(random_state=SEED, max_iter=30)
    big = dict(random_state=SEED, pretrain_iter=3, max_iter=3)
    n = 1000 if quick else 4000
    return {
        "digits, DBNClassifier(max_iter=30)": (
            lambda: skdeep.DBNClassifier(**fast),
            X,
            y,
        ),
        "digits, StackedAutoencoderClassifier(max_iter=30)": (
            lambda: skdeep.StackedAutoencoderClassifier(**fast),
            X,
            y,
        ),
        "digits, MLPClassifier(max_iter=30)": (lambda: MLPClassifier(**fast), X, y),
        "MNIST 1000 rows, DBNClassifier((100,), 5 + 10 epochs)": (
            lambda: skdeep.DBNClassifier((100,), pretrain_iter=5, max_iter=10),
            mnist_X[:1000],
            mnist_y[:1000],
        ),
        f"MNIST {n} rows, DBNClassifier((500, 500), 3 + 3 epochs)": (
            lambda: skdeep.DBNClassifier((500, 500), **big),
            mnist_X[:n],
            mnist_y[:n],
        ),
    }


def timed(make, X, y, mode):
    """Seconds of one fit in ``mode`` (see the module docstring)."""
    threshold = threads.SMALL_PRODUCT
    if mode == "all threads":
        threads.SMALL_PRODUCT = 0
    try:
        model = make()
        start = time.perf_counter()
        if mode == "one thread":
            with threadpool_limits(limits=1, user_api="blas"):
                model.fit(X, y)
        else:
            model.fit(X, y)
        return time.perf_counter() - start
    finally:
        threads.SMALL_PRODUCT = threshold


def measure(fits, rounds):
    """name -> mode -> median seconds, the modes interleaved in each round."""
    times = {name: {} for name in fits}
    for r in range(rounds):
        for name, (make, X, y) in fits.items():
            modes = ["skdeep", "all threads", "one thread"]
            if "MLP" in name:
                modes = ["all threads", "one thread"]
            for mode in modes if r % 2 == 0 else modes[::-1]:
                times[name].setdefault(mode, []).append(timed(make, X, y, mode))
    return {n: {m: float(np.median(t)) for m, t in d.items()} for n, d in times.items()}


def rows(medians):
    out = []
    for name, t in medians.items():
        ours = t.get("skdeep")
        out.append(
            [
                name,
                "" if ours is None else f"{ours:.2f}",
                f"{t['all threads']:.2f}",
                f"{t['one thread']:.2f}",
                "" if ours is None else f"{t['all threads'] / ours:.2f}",
                "" if ours is None else f"{t['one thread'] / ours:.2f}",
            ]
        )
    return out


def main():
    args, (X_train, _, y_train, _) = setup(__doc__)
    fits = cases(X_train, y_train, args.quick)
    rounds = 1 if args.quick else 3
    report = Report()
    report.add(f"# BLAS threads\n\n{machine()}\n")
    header = [
        "fit",
        "skdeep (s)",
        "all threads (s)",
        "one thread (s)",
        "all threads / skdeep",
        "one thread / skdeep",
    ]
    report.table("Quiet machine", header, rows(measure(fits, rounds)))
    spinner = multiprocessing.Process(target=_spin, daemon=True)
    spinner.start()
    try:
        busy = measure(fits, rounds)
    finally:
        spinner.terminate()
    report.table(
        "Busy machine: one other process spinning on one core", header, rows(busy)
    )
    report.add(
        f"Medians of {rounds} rounds; the policy's threshold: "
        f"{threads.SMALL_PRODUCT:,} multiply-adds."
    )
    (RESULTS / "threads.md").write_text("\n".join(report.lines))


if __name__ == "__main__":
    main()
