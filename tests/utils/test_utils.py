import numpy as np
import pytest
import scipy.sparse as sp

from skdeep._core.arrays import (
    Workspace,
    gather_rows,
)
from skdeep._utils.validation import resolve_batch_size


def test_workspace_reuses_memory_and_views_fewer_rows():
    ws = Workspace()
    first = ws.get("a", (8, 3), np.float32)
    again = ws.get("a", (8, 3), np.float32)
    fewer = ws.get("a", (5, 3), np.float32)
    assert np.shares_memory(first, again) and np.shares_memory(first, fewer)
    assert fewer.shape == (5, 3) and fewer.flags.c_contiguous
    # a new width, a new dtype or more rows get new memory
    for shape, dtype in [((8, 4), np.float32), ((8, 3), np.float64), ((9, 3), None)]:
        other = ws.get("a", shape, dtype or np.float32)
        assert other.shape == shape and not np.shares_memory(other, first)


def test_disabled_workspace_allocates_fresh_arrays():
    ws = Workspace(enabled=False)
    assert not np.shares_memory(ws.get("a", (4, 2), float), ws.get("a", (4, 2), float))


@pytest.mark.parametrize("sparse", [False, True])
def test_gather_rows_equals_fancy_indexing(sparse):
    rng = np.random.default_rng(0)
    X = rng.random((30, 7)).astype(np.float32)
    rows = rng.permutation(30)[:11]
    source = sp.csr_matrix(X) if sparse else X
    got = gather_rows(source, rows, None, Workspace())
    np.testing.assert_array_equal(got, X[rows])
    assert got.dtype == np.float32
    scaled = gather_rows(source, rows, lambda A: A * 2, Workspace())
    assert isinstance(scaled, np.ndarray)
    np.testing.assert_allclose(scaled, X[rows] * 2)


@pytest.mark.parametrize(
    "batch_size, n_samples, expected",
    [
        ("auto", 1437, 64),  # digits: the smallest size
        ("auto", 10000, 200),  # n_samples // 50
        ("auto", 60000, 256),  # capped
        ("auto", 30, 8),  # fewer rows than the smallest: 8 minibatches
        ("auto", 6, 6),  # never more than n_samples
        (500, 100, 100),
        (32, 60000, 32),  # an int is kept
    ],
)
def test_resolve_batch_size(batch_size, n_samples, expected):
    assert resolve_batch_size(batch_size, n_samples, smallest=64) == expected


@pytest.mark.parametrize("n_samples, expected", [(400, 64), (63, 63), (6, 6)])
def test_a_streamed_chunk_keeps_one_minibatch_of_the_smallest_size(n_samples, expected):
    assert resolve_batch_size("auto", n_samples, smallest=64, chunk=True) == expected


def test_the_contracts_between_bases_and_heads_are_abstract_methods():
    """A head without its target methods, or a base without its stack
    methods, cannot be instantiated: the contract is checked, not assumed."""
    from skdeep._dbn.base import BaseDBN
    from skdeep._heads.fine_tuning import FineTuningMixin
    from skdeep._utils.mixins import PretrainedStackMixin

    class NoTargets(FineTuningMixin, BaseDBN):
        pass

    class NoStack(PretrainedStackMixin):
        pass

    with pytest.raises(TypeError, match="_validate_targets"):
        NoTargets()
    with pytest.raises(TypeError, match="_pretrain_stack"):
        NoStack()


def test_unaligned_input_is_copied_to_aligned_memory():
    """dask hands its workers scattered arrays at odd addresses, where numpy's
    gathers and products are slow: validation copies them, once."""
    from sklearn.base import BaseEstimator

    from skdeep._utils.validation import validate_data

    raw = np.zeros(8 * 12 + 1, dtype=np.uint8)[1:].view(np.float64).reshape(3, 4)
    raw[...] = np.arange(12).reshape(3, 4)
    assert not raw.flags.aligned
    X = validate_data(BaseEstimator(), raw)
    assert X.flags.aligned and np.array_equal(X, raw)
    X_aligned = np.arange(12.0).reshape(3, 4)
    assert validate_data(BaseEstimator(), X_aligned) is X_aligned
