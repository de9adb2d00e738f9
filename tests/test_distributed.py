"""skdeep on a real dask cluster: a LocalCluster of two worker processes.

Hyperparameter search through joblib's dask backend, out-of-core training
with ``dask_ml.wrappers.Incremental``, models travelling to workers and back,
a search that survives a killed worker, and BLAS threads per worker.
Skipped when the ``distributed`` extra is not installed.
"""

import contextlib
import os

import numpy as np
import pytest
from sklearn.base import BaseEstimator, clone
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV

import skdeep

dask = pytest.importorskip("dask")
distributed = pytest.importorskip("distributed")
da = pytest.importorskip("dask.array")
dask_ml_wrappers = pytest.importorskip("dask_ml.wrappers")
cloudpickle = pytest.importorskip("cloudpickle")
joblib = pytest.importorskip("joblib")

import tests.test_distributed as this_module  # noqa: E402

# the helper estimators below travel to the workers by value
cloudpickle.register_pickle_by_value(this_module)

pytestmark = pytest.mark.usefixtures("quiet_convergence")

N_CHUNKS = 10


@contextlib.contextmanager
def local_cluster(n_workers=2):
    """A client of a LocalCluster of one-thread worker processes."""
    cluster = distributed.LocalCluster(
        n_workers=n_workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=40,
    )
    with cluster, distributed.Client(cluster) as client:
        yield client


@pytest.fixture(scope="module")
def client():
    with local_cluster() as client:
        yield client


def digits(n=400):
    X, y = load_digits(return_X_y=True)
    return X[:n] / 16, y[:n]


SEARCH = {
    "hidden_layer_sizes": [(8,), (16,), (8, 4), (16, 8)],
    "sparsity_target": [0.05, 0.2],
}


def search_scores(estimator, X, y=None, backend=None):
    search = GridSearchCV(estimator, SEARCH, cv=2)
    if backend is None:
        search.fit(X, y)
    else:
        with joblib.parallel_backend(backend):
            search.fit(X, y)
    return search.cv_results_["mean_test_score"]


@pytest.mark.parametrize(
    "estimator, supervised",
    [
        (skdeep.StackedAutoencoderTransformer(pretrain_iter=2, max_iter=1), False),
        (skdeep.DBNClassifier(pretrain_iter=2, max_iter=5), True),
    ],
    ids=["sae-transformer", "dbn-classifier"],
)
def test_grid_search_on_the_cluster_equals_the_serial_search(
    client, estimator, supervised
):
    X, y = digits()
    y = y if supervised else None
    estimator = clone(estimator).set_params(random_state=0)
    serial = search_scores(estimator, X, y)
    on_cluster = search_scores(estimator, X, y, backend="dask")
    assert len(serial) == 8
    np.testing.assert_array_equal(on_cluster, serial)


def chunked(X, y):
    rows = -(-len(X) // N_CHUNKS)
    return da.from_array(X, chunks=(rows, X.shape[1])), da.from_array(y, chunks=rows)


def local_stream(estimator, X, y, n_chunks, **kwargs):
    for rows in np.array_split(np.arange(len(X)), n_chunks):
        if y is None:
            estimator.partial_fit(X[rows])
        else:
            estimator.partial_fit(X[rows], y[rows], **kwargs)
    return estimator


@pytest.mark.parametrize(
    "estimator, supervised",
    [
        (skdeep.DBNTransformer((16,), random_state=0), False),
        (
            skdeep.StackedAutoencoderClassifier((16,), pretrain_iter=4, random_state=0),
            True,
        ),
    ],
    ids=["dbn-transformer", "sae-classifier"],
)
def test_incremental_on_the_cluster_equals_local_partial_fit(
    client, estimator, supervised
):
    X, y = digits(500)
    X_dask, y_dask = chunked(X, y)
    assert X_dask.numblocks[0] == N_CHUNKS
    kwargs = {"classes": np.arange(10)} if supervised else {}
    incremental = dask_ml_wrappers.Incremental(clone(estimator), shuffle_blocks=False)
    incremental.fit(X_dask, y_dask if supervised else None, **kwargs)
    local = local_stream(
        clone(estimator), X, y if supervised else None, N_CHUNKS, **kwargs
    )
    # same seed, same chunks, same order: the same model, bit for bit
    for W_cluster, W_local in zip(
        incremental.estimator_.coefs_, local.coefs_, strict=True
    ):
        np.testing.assert_array_equal(W_cluster, W_local)
    method = "predict_proba" if supervised else "transform"
    blockwise = getattr(incremental, method)(X_dask)  # a dask array, block by block
    assert isinstance(blockwise, da.Array)
    # to rounding: a worker's BLAS runs one thread, this process's several,
    # and the order of a product's sums follows the thread count
    np.testing.assert_allclose(
        blockwise.compute(), getattr(local, method)(X), rtol=1e-12, atol=1e-15
    )


SIX = [
    "DBNTransformer",
    "StackedAutoencoderTransformer",
    "DBNClassifier",
    "StackedAutoencoderClassifier",
    "DBNRegressor",
    "StackedAutoencoderRegressor",
]


@pytest.mark.parametrize("n_blocks", [1, 2, 8, 32])
@pytest.mark.parametrize("name", SIX)
def test_incremental_over_any_number_of_blocks_leaves_a_working_model(
    client, name, n_blocks
):
    """Incremental calls partial_fit once per block: whatever the number of
    blocks, every estimator predicts (or transforms) afterwards."""
    X, y = digits(400)
    sizes = tuple(len(rows) for rows in np.array_split(np.arange(len(X)), n_blocks))
    X_dask = da.from_array(X, chunks=(sizes, X.shape[1]))
    y_dask = da.from_array(y, chunks=(sizes,))
    assert X_dask.numblocks[0] == n_blocks
    estimator = getattr(skdeep, name)((16,), random_state=0)
    incremental = dask_ml_wrappers.Incremental(estimator, shuffle_blocks=False)
    if hasattr(estimator, "predict_proba"):
        incremental.fit(X_dask, y_dask, classes=np.arange(10))
        # one pass over the blocks already learns: above chance (0.1)
        assert incremental.score(X_dask, y_dask) > 0.15
    elif hasattr(estimator, "predict"):
        incremental.fit(X_dask, y_dask)
    if hasattr(estimator, "predict"):
        out = incremental.predict(X_dask).compute()
        assert out.shape == (len(X),) and np.isfinite(out.astype(float)).all()
    else:
        incremental.fit(X_dask)
        out = incremental.transform(X_dask).compute()
        assert out.shape == (len(X), 16) and np.isfinite(out).all()


def test_a_fitted_model_travels_to_a_worker_and_back(client):
    X, y = digits()
    model = skdeep.DBNClassifier((16,), pretrain_iter=2, max_iter=5, random_state=0)
    model.fit(X, y)
    remote = client.submit(lambda m, A: m.predict_proba(A), model, X).result()
    np.testing.assert_array_equal(remote, model.predict_proba(X))
    back = client.submit(lambda m: m, model).result()
    np.testing.assert_array_equal(back.predict_proba(X), model.predict_proba(X))


class DiesOnce(BaseEstimator):
    """An estimator whose first fit anywhere kills its worker process."""

    def __init__(self, estimator=None, flag=""):
        self.estimator = estimator
        self.flag = flag

    def fit(self, X, y=None):
        if not os.path.exists(self.flag):
            open(self.flag, "w").close()
            os._exit(1)  # the worker process dies in the middle of the search
        self.estimator_ = clone(self.estimator).fit(X, y)
        return self

    def score(self, X, y=None):
        return self.estimator_.score(X, y)


def test_a_search_survives_a_killed_worker(tmp_path):
    # 200 rows: each fold's row indices stay under joblib's 1 kB threshold for
    # scattering an argument to a single worker, where it would die with it
    X, _ = digits(200)
    sae = skdeep.StackedAutoencoderTransformer(
        pretrain_iter=2, max_iter=1, random_state=0
    )
    flag = str(tmp_path / "killed")
    grid = {
        "estimator__hidden_layer_sizes": [(8,), (16,)],
        "estimator__corruption": [0.0, 0.3],
    }
    search = GridSearchCV(DiesOnce(sae, flag), grid, cv=2)
    # a cluster of its own, so that nothing of the other tests is lost with
    # the worker; X scattered to every worker up front: a copy survives
    with local_cluster(), joblib.parallel_backend("dask", scatter=[X]):
        search.fit(X)
    assert os.path.exists(flag)  # a worker did die
    serial = GridSearchCV(DiesOnce(sae, flag), grid, cv=2).fit(X)
    np.testing.assert_array_equal(
        search.cv_results_["mean_test_score"], serial.cv_results_["mean_test_score"]
    )


def blas_threads():
    from threadpoolctl import threadpool_info

    return [
        info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"
    ]


def test_each_worker_fits_with_its_own_thread_only(client):
    """No oversubscription: a worker of one thread runs BLAS on one thread,
    also while it fits."""

    def fit_and_count():
        X, y = digits()
        skdeep.DBNClassifier((16,), pretrain_iter=1, max_iter=2).fit(X, y)
        return blas_threads()

    for threads in client.run(blas_threads).values():
        assert threads and set(threads) == {1}
    assert set(client.submit(fit_and_count, pure=False).result()) == {1}


def _chunks_held(shape, dask_worker):
    """Arrays of a chunk's shape stored in this worker's memory, whatever
    their keys (dask may fuse a chunk's task into the task that uses it)."""
    return sum(
        isinstance(value, np.ndarray) and value.shape == shape
        for value in dask_worker.data.values()
    )


class ChunkCounter(BaseEstimator):
    """Wraps a transformer; at every partial_fit, records how many chunks
    (arrays of ``chunk_shape``) its worker holds in memory, the one in hand
    included, and the most any worker of the cluster holds then."""

    def __init__(self, estimator=None, chunk_shape=()):
        self.estimator = estimator
        self.chunk_shape = chunk_shape

    def fit(self, X, y=None):
        return self.partial_fit(X, y)

    def score(self, X, y=None):
        return self.estimator_.score(X)

    def partial_fit(self, X, y=None):
        worker = distributed.get_worker()
        shape = tuple(self.chunk_shape)
        stored = any(value is X for value in worker.data.values())
        held = _chunks_held(shape, worker) + (0 if stored else 1)
        self.held_ = max(getattr(self, "held_", 0), held)
        others = distributed.get_client().run(_chunks_held, shape)
        others.pop(worker.address)
        self.held_anywhere_ = max(
            getattr(self, "held_anywhere_", 0), held, *others.values()
        )
        if not hasattr(self, "estimator_"):
            self.estimator_ = clone(self.estimator)
        self.estimator_.partial_fit(X)
        return self


def test_out_of_core_pretraining_holds_at_most_two_chunks():
    """20 chunks made on the worker only when the stream needs them (no
    array holds them all anywhere). On a worker that runs one root task at a
    time (``worker-saturation`` 1.0) the training worker never holds more
    than two of them at a partial_fit; at dask's default of 1.1 it computes
    chunks ahead of the sequential chain of fits (8 or 9 held here)."""
    config = {"distributed.scheduler.worker-saturation": 1.0}
    with dask.config.set(config), local_cluster(n_workers=1):
        X_dask = da.random.RandomState(0).random_sample((1000, 64), chunks=(50, 64))
        assert X_dask.numblocks[0] == 20
        counter = ChunkCounter(skdeep.DBNTransformer((16,), random_state=0), (50, 64))
        incremental = dask_ml_wrappers.Incremental(counter, shuffle_blocks=False)
        incremental.fit(X_dask)
    assert 1 <= incremental.estimator_.held_anywhere_ <= 2


def test_streaming_block_by_block_bounds_the_chunks_on_any_cluster():
    """Incremental.partial_fit on one block at a time: each call computes a
    single chunk, so no worker of a two-worker cluster, at dask's default
    scheduling, holds more than that one (and one whose release lags); the
    model equals partial_fit over the same chunks in this process."""
    with local_cluster(n_workers=2):
        X_dask = da.random.RandomState(0).random_sample((1000, 64), chunks=(50, 64))
        counter = ChunkCounter(skdeep.DBNTransformer((16,), random_state=0), (50, 64))
        incremental = dask_ml_wrappers.Incremental(counter, shuffle_blocks=False)
        for block in X_dask.blocks:
            incremental.partial_fit(block)
        streamed = incremental.estimator_
        X = X_dask.compute(scheduler="sync")
    # one in every run here (dask fuses the chunk's task into the fit's, so
    # it is never stored); two would be a chunk whose release lags a call
    assert 1 <= streamed.held_anywhere_ <= 2
    local = skdeep.DBNTransformer((16,), random_state=0)
    for chunk in np.split(X, X_dask.numblocks[0]):
        local.partial_fit(chunk)
    np.testing.assert_array_equal(streamed.estimator_.coefs_[0], local.coefs_[0])
