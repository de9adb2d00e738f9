"""A hyperparameter search on a dask cluster: 2 workers against 1, one run.

The same ``GridSearchCV`` (32 candidates x 2 folds = 64 fits of
``StackedAutoencoderClassifier((128,))`` on sklearn's digits, over sparsity
and weight decay) runs serially, then
through joblib's dask backend on a ``LocalCluster`` of one worker process
and of two (one thread each). It prints the wall times, the speed-up of two
workers over one, and checks that every run gives the same scores. Writes
``benchmarks/results/distributed.md``.

Run: ``python benchmarks/bench_distributed.py`` (needs the ``distributed``
extra: ``pip install ".[distributed]"``).
"""

import contextlib
import sys
import time
import warnings
from pathlib import Path

import joblib
import numpy as np
from distributed import Client, LocalCluster
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, ParameterGrid, StratifiedKFold

sys.path.insert(0, str(Path(__file__).parent))
from _common import Report, machine  # noqa: E402

from skdeep import StackedAutoencoderClassifier  # noqa: E402

# fits of equal cost, so that two workers finish together
GRID = {
    "sparsity_target": [0.02, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, "auto"],
    "alpha": [1e-5, 1e-4, 1e-3, 1e-2],
}


def search(X, y):
    model = StackedAutoencoderClassifier(
        (128,), pretrain_iter=10, max_iter=30, random_state=0
    )
    return GridSearchCV(model, GRID, cv=2)


@contextlib.contextmanager
def local_cluster(n_workers):
    """A client of a LocalCluster of ``n_workers`` one-thread processes."""
    cluster = LocalCluster(
        n_workers=n_workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=40,
    )
    with cluster, Client(cluster) as client:
        yield client


def fit_and_score(params, train, test, X, y):
    """One fit of the search, on a worker: the test score of one fold."""
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    model = search(X, y).estimator.set_params(**params)
    return model.fit(X[train], y[train]).score(X[test], y[test])


def timed_map_search(X, y, n_workers):
    """The same fits as tasks of the cluster (``client.map``), whatever the
    number of workers: joblib runs a one-worker search in the calling
    process instead."""
    folds = list(StratifiedKFold(2).split(X, y))  # GridSearchCV's cv=2
    candidates = list(ParameterGrid(GRID))
    with local_cluster(n_workers) as client:
        X_f, y_f = client.scatter([X, y], broadcast=True)
        start = time.perf_counter()
        futures = [
            client.submit(fit_and_score, p, train, test, X_f, y_f, pure=False)
            for p in candidates
            for train, test in folds
        ]
        scores = np.array(client.gather(futures)).reshape(len(candidates), -1)
        return scores.mean(axis=1), time.perf_counter() - start


def timed_search(X, y, n_workers=None):
    """(mean test scores, seconds): serially, or on n_workers processes."""
    start = time.perf_counter()
    if n_workers is None:
        scores = search(X, y).fit(X, y).cv_results_["mean_test_score"]
        return scores, time.perf_counter() - start
    with local_cluster(n_workers):
        start = time.perf_counter()  # cluster start-up not counted
        with joblib.parallel_backend("dask"):
            scores = search(X, y).fit(X, y).cv_results_["mean_test_score"]
        return scores, time.perf_counter() - start


def report_runs(report, runs):
    """The table of wall times and the two speed-ups."""
    reference = runs["GridSearchCV, serial (one process, every BLAS thread)"][0]
    rows = [
        [
            name,
            f"{seconds:.1f}",
            str(np.allclose(scores, reference, rtol=0, atol=1e-12)),
        ]
        for name, (scores, seconds) in runs.items()
    ]
    report.table("Wall time of the search", ["run", "seconds", "same scores"], rows)
    workers = (
        runs["the same fits as cluster tasks, 1 worker"][1]
        / runs["the same fits as cluster tasks, 2 workers"][1]
    )
    serial = (
        runs["GridSearchCV, serial (one process, every BLAS thread)"][1]
        / runs["GridSearchCV, joblib dask backend, 2 workers"][1]
    )
    report.add(
        f"Speed-up of 2 workers over 1 (one thread each): **{workers:.2f}x**; "
        f"of the 2-worker joblib search over the serial one: {serial:.2f}x. "
        "(joblib runs a search on a one-thread cluster in the calling process, "
        "so its 1-worker case is measured with the same fits as cluster tasks.)\n"
    )


def main():
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    X, y = load_digits(return_X_y=True)
    X = X / 16
    report = Report()
    report.add(
        f"# Distributed search benchmark\n\n{machine()}; 32 candidates x 2 "
        "folds = 64 fits of StackedAutoencoderClassifier((128,)) on digits.\n"
    )
    runs = {
        "GridSearchCV, serial (one process, every BLAS thread)": timed_search(X, y),
        "GridSearchCV, joblib dask backend, 2 workers": timed_search(X, y, 2),
        "the same fits as cluster tasks, 1 worker": timed_map_search(X, y, 1),
        "the same fits as cluster tasks, 2 workers": timed_map_search(X, y, 2),
    }
    report_runs(report, runs)
    results = Path(__file__).parent / "results"
    results.mkdir(exist_ok=True)
    (results / "distributed.md").write_text("\n".join(report.lines))


if __name__ == "__main__":
    main()
