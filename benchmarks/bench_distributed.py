"""skdeep on a dask cluster: a hyperparameter search, and out-of-core
training with ``dask_ml.wrappers.Incremental``.

1. A search of short fits, ``GridSearchCV`` of ``DBNClassifier(max_iter=30)``
   over 8 candidates x 3 folds on sklearn's digits, serially and through
   joblib's dask backend on a ``LocalCluster`` of two one-thread worker
   processes, at dask's default worker settings and at the ones the user
   guide recommends: median wall times over interleaved rounds, the
   speed-ups, and a check that every run gives the same scores (each
   cluster alone on the machine, its rounds interleaved with serial ones);
   then a small search, 4 candidates x 2 folds, with and without the refit
   of the best candidate that ``GridSearchCV`` runs in the client process
   after the search (a serial share of a small search).
2. ``Incremental`` over the MNIST development split's training rows in 10
   blocks, on a ``LocalCluster`` of one worker: ``DBNClassifier((500,
   500))`` at its defaults after one pass and after 20, against
   ``MLPClassifier((500, 500))`` after one pass over the same blocks and
   against the same ``DBNClassifier`` fitted with ``fit``; means over seeds.

Writes ``benchmarks/results/distributed.md``.

Run: ``python benchmarks/bench_distributed.py --data ../shared/data/mnist_dev.npz``
(needs the ``distributed`` extra: ``pip install ".[distributed]"``; without
``--data``, MNIST is fetched from OpenML).
"""

import argparse
import contextlib
import sys
import time
import warnings
from pathlib import Path

import dask
import joblib
import numpy as np
from distributed import Client, LocalCluster
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import (
    GridSearchCV,
    train_test_split,
)
from sklearn.neural_network import MLPClassifier

sys.path.insert(0, str(Path(__file__).parent))
from _common import Report, load_mnist, machine, mean_and_error  # noqa: E402

from skdeep import DBNClassifier  # noqa: E402

# A search of short fits: 8 candidates x 3 folds of DBNClassifier(max_iter=30).
GRID = {
    "hidden_layer_sizes": [(64,), (128,)],
    "alpha": [1e-5, 1e-4],
    "sparsity_target": [0.05, 0.1],
}
# A small one, 4 candidates x 2 folds: (grid, folds, refit) by name.
SMALL_GRID = {"hidden_layer_sizes": [(64,), (128,)], "alpha": [1e-5, 1e-4]}
SEARCHES = {
    "8 candidates x 3 folds": (GRID, 3, True),
    "4 candidates x 2 folds": (SMALL_GRID, 2, True),
    "4 candidates x 2 folds, refit=False": (SMALL_GRID, 2, False),
}
ROUNDS = 7

# dask's defaults for worker processes make them return freed memory to the
# operating system at once (MALLOC_TRIM_THRESHOLD_ of 64 KiB), sample the
# stack of the running task every 10 ms and wake their event loop every
# 20 ms (tick) and 100 ms (memory monitor), taking the interpreter lock from
# the fit each time; the minibatch loop frees and allocates the same arrays
# thousands of times a second. The user guide recommends these settings for
# searches of skdeep estimators.
RECOMMENDED = {
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": 2**30,
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.worker.memory.monitor-interval": "1s",
}


def search(grid=GRID, folds=3, refit=True):
    model = DBNClassifier(max_iter=30, random_state=0)
    return GridSearchCV(model, grid, cv=folds, refit=refit)


@contextlib.contextmanager
def local_cluster(n_workers, threads=1, config=None, default=False):
    """A client of a LocalCluster of ``n_workers`` processes of ``threads``
    threads each, started under the dask ``config`` given (``default``: the
    client dask computes on)."""
    with dask.config.set(config or {}):
        cluster = LocalCluster(
            n_workers=n_workers,
            threads_per_worker=threads,
            processes=True,
            dashboard_address=None,
            silence_logs=40,
        )
    with cluster, Client(cluster, set_as_default=default) as client:
        yield client


def timed_search(X, y, client=None, setting=(GRID, 3, True)):
    """(mean test scores, seconds) of the search of ``setting`` (grid,
    folds, refit): serial, or on ``client``."""
    start = time.perf_counter()
    if client is None:
        fitted = search(*setting).fit(X, y)
    else:
        with joblib.parallel_backend("dask", client=client):
            fitted = search(*setting).fit(X, y)
    return fitted.cv_results_["mean_test_score"], time.perf_counter() - start


def search_rounds(X, y, client, setting, reference):
    """The seconds of the serial search of ``setting`` and of the search on
    ``client``, rounds interleaved; whether every run on the client gave
    the serial scores, ``reference``."""
    serial, distributed, same = [], [], True
    for _ in range(ROUNDS):
        serial.append(timed_search(X, y, setting=setting)[1])
        scores, spent = timed_search(X, y, client, setting)
        distributed.append(spent)
        same &= bool(np.allclose(scores, reference, rtol=0, atol=1e-12))
    return serial, distributed, same


CLUSTERS = {"defaults": None, "recommended": RECOMMENDED}


def report_searches(report, X, y):
    """A table per search of SEARCHES. Each cluster runs alone on the
    machine (no other cluster's workers wake beside its fits), warmed up,
    its rounds interleaved with serial ones."""
    references = {
        title: timed_search(X, y, setting=setting)[0]
        for title, setting in SEARCHES.items()
    }
    runs = {}
    for name, config in CLUSTERS.items():
        with local_cluster(2, config=config) as client:
            timed_search(X, y, client)  # warm the workers up, untimed
            for title, setting in SEARCHES.items():
                reference = references[title]
                runs[title, name] = search_rounds(X, y, client, setting, reference)
    for title in SEARCHES:
        report_search(report, title, {name: runs[title, name] for name in CLUSTERS})


def report_search(report, title, runs):
    """``runs``: cluster name -> (serial seconds, its seconds, same scores)."""
    names = {
        "defaults": "joblib dask backend, 2 workers, dask's defaults",
        "recommended": "joblib dask backend, 2 workers, recommended settings",
    }
    serial = np.concatenate([run[0] for run in runs.values()])
    rows = [
        [
            "GridSearchCV, serial (one process, every BLAS thread)",
            f"{np.median(serial):.2f}",
            "",
        ]
    ]
    for key, (own_serial, seconds, _) in runs.items():
        speed_up = np.median(own_serial) / np.median(seconds)
        rows.append([names[key], f"{np.median(seconds):.2f}", f"{speed_up:.2f}x"])
    report.table(
        f"{title}: median wall time of the search over {ROUNDS} rounds per "
        "cluster, each cluster alone on the machine, its rounds interleaved "
        "with serial ones",
        ["run", "seconds", "speed-up over the serial rounds beside it"],
        rows,
    )
    same = all(run[2] for run in runs.values())
    report.add(f"Every run gives the serial search's scores: {same}.\n")


# Incremental on MNIST: blocks, seeds, passes of the long stream.
N_BLOCKS, SEEDS, LONG_SEEDS, PASSES = 10, (0, 1, 2), (0, 1), 20
SHAPE = (500, 500)


def incremental_stream(make, data, seed, passes):
    """Test accuracy after 1 pass of ``Incremental`` over N_BLOCKS blocks
    (and after ``passes`` when more), on a one-worker cluster."""
    import dask.array as da
    from dask_ml.wrappers import Incremental

    X_train, X_test, y_train, y_test = data
    sizes = tuple(len(r) for r in np.array_split(np.arange(len(X_train)), N_BLOCKS))
    X_dask = da.from_array(X_train, chunks=(sizes, X_train.shape[1]))
    y_dask = da.from_array(y_train, chunks=(sizes,))
    classes = np.unique(y_train)
    model = Incremental(make(seed), shuffle_blocks=False)
    model.fit(X_dask, y_dask, classes=classes)
    scores = [model.estimator_.score(X_test, y_test)]
    for _ in range(passes - 1):
        model.partial_fit(X_dask, y_dask, classes=classes)
    if passes > 1:
        scores.append(model.estimator_.score(X_test, y_test))
    return scores


def incremental(report, data):
    """One pass against the MLP's one pass; 20 passes against fit."""
    X_train, X_test, y_train, y_test = data

    def dbn(seed):
        return DBNClassifier(SHAPE, random_state=seed)

    def mlp(seed):
        return MLPClassifier(SHAPE, random_state=seed)

    with local_cluster(1, threads=2, default=True):
        mlp_one = [incremental_stream(mlp, data, s, 1)[0] for s in SEEDS]
        dbn_one = [incremental_stream(dbn, data, s, 1)[0] for s in SEEDS]
        dbn_long = [incremental_stream(dbn, data, s, PASSES)[1] for s in LONG_SEEDS]
    fitted = [dbn(s).fit(X_train, y_train).score(X_test, y_test) for s in LONG_SEEDS]
    rows = [
        ["MLPClassifier, Incremental, 1 pass", mean_and_error(mlp_one), len(SEEDS)],
        ["DBNClassifier, Incremental, 1 pass", mean_and_error(dbn_one), len(SEEDS)],
        [
            f"DBNClassifier, Incremental, {PASSES} passes",
            mean_and_error(dbn_long),
            len(LONG_SEEDS),
        ],
        ["DBNClassifier, fit", mean_and_error(fitted), len(LONG_SEEDS)],
    ]
    report.table(
        f"Incremental over {N_BLOCKS} blocks of the MNIST training rows "
        f"({len(X_train)}), {SHAPE} hidden units, defaults; test accuracy "
        f"on {len(X_test)} rows, mean +- standard error over seeds",
        ["model", "accuracy", "seeds"],
        rows,
    )
    gap = np.mean(fitted) - np.mean(dbn_long)
    lead = np.mean(dbn_one) - np.mean(mlp_one)
    report.add(
        f"One pass: DBNClassifier {lead:+.4f} against MLPClassifier; "
        f"{PASSES} passes: {gap:.4f} below fit.\n"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="local .npz with keys X (uint8) and y")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    X, y = load_digits(return_X_y=True)
    X = X / 16
    report = Report()
    report.add(
        f"# Distributed benchmark\n\n{machine()}.\n\n"
        "## A search on two workers\n\nGridSearchCV of "
        "DBNClassifier(max_iter=30) on digits.\n"
    )
    report_searches(report, X, y)
    report.add("## Training out of core\n")
    X, y = load_mnist(args.data)
    incremental(
        report, train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
    )
    results = Path(__file__).parent / "results"
    results.mkdir(exist_ok=True)
    (results / "distributed.md").write_text("\n".join(report.lines))


if __name__ == "__main__":
    main()
