"""Array helpers of the training loops and inference: reused scratch buffers,
minibatch gathering, standardization and chunked row-wise maps."""

import numpy as np
import scipy.sparse as sp
from sklearn.utils import gen_batches

from skdeep._core.xp import all_finite, empty, is_numpy, take_rows, to_numpy, xp_of

# Rows per chunk in transform-like methods: memory stays bounded by the output
# plus one chunk of intermediate codes.
CHUNK_SIZE = 2048


class Workspace:
    """Named scratch arrays reused from one minibatch to the next.

    ``get(name, shape, dtype)`` returns an uninitialized C-ordered array; the
    same name gives the same memory again, and a request with fewer rows (the
    last, smaller minibatch) is a view of the leading rows. Training loops
    that keep one workspace allocate nothing per minibatch: fresh large
    temporaries cost page faults and cache misses comparable to the
    products themselves. ``Workspace(enabled=False)`` allocates fresh arrays.
    For arrays of another library (``like``), every request is a fresh
    array on like's device: only numpy writes into buffers (see ``xp``).
    """

    def __init__(self, enabled=True, like=None):
        self.enabled = enabled and (like is None or is_numpy(like))
        self.like = like
        self._arrays = {}

    def get(self, name, shape, dtype):
        if not self.enabled:
            return empty(shape, dtype, self.like)
        array = self._arrays.get(name)
        if (
            array is None
            or array.dtype != dtype
            or array.shape[1:] != tuple(shape[1:])
            or array.shape[0] < shape[0]
        ):
            array = self._arrays[name] = np.empty(shape, dtype=dtype)
        return array[: shape[0]]


def to_dense(X):
    """X as a dense array (a minibatch of a CSR matrix)."""
    return X.toarray() if sp.issparse(X) else X


def gather_rows(X, rows, prepare=None, workspace=None, out=None):
    """``prepare(X[rows])`` as a dense array: a minibatch.

    Dense X with no preparation is gathered straight into ``out`` or, when
    only a ``workspace`` is given, into a buffer of it (no new array per
    minibatch); otherwise, and for ``prepare`` (standardization, say) and CSR
    rows, it is indexed.
    """
    direct = out is not None or workspace is not None
    if prepare is None and direct and isinstance(X, np.ndarray):
        if out is None:
            out = workspace.get("batch", (len(rows), X.shape[1]), X.dtype)
        # mode="clip": the rows are valid, and "raise" would copy through a
        # temporary buffer when given ``out``
        return np.take(X, rows, axis=0, out=out, mode="clip")
    batch = take_rows(X, rows)
    return to_dense(batch if prepare is None else prepare(batch))


def column_means(X):
    """Mean of each column of dense or CSR X, as a 1-D float64 numpy array
    (on the host, whatever X's library)."""
    if not is_numpy(X):
        return to_numpy(xp_of(X).mean(X, axis=0)).astype(np.float64)
    return np.asarray(X.mean(axis=0), dtype=np.float64).ravel()


def value_range(X):
    """(min, max) over every entry of dense or CSR X, implicit zeros included."""
    if sp.issparse(X):
        values = X.data
        if X.nnz < X.shape[0] * X.shape[1]:
            values = np.append(values, 0)
        return float(values.min()), float(values.max())
    xp = xp_of(X)
    return float(xp.min(X)), float(xp.max(X))


def standardize(X, mean, scale):
    """(X - mean) / scale as a new dense array; X itself unchanged."""
    return (to_dense(X) - mean) / scale


@np.errstate(over="ignore", invalid="ignore")
def standardization(X):
    """Column means and standard deviations (constant columns get scale 1),
    in X's dtype, library and device; a ValueError when they overflow."""
    if not is_numpy(X):
        xp = xp_of(X)
        mean = xp.mean(X, axis=0)
        scale = xp.sqrt(xp.mean((X - mean) ** 2, axis=0))
        scale = xp.where(scale < 1e-12, xp.ones_like(scale), scale)
        return _finite_statistics(mean, scale)
    mean = column_means(X)
    # squared deviations summed chunk by chunk: no temporary the size of X
    sum_squares = np.zeros(X.shape[1])
    for rows in gen_batches(X.shape[0], CHUNK_SIZE):
        deviations = np.subtract(to_dense(X[rows]), mean)  # float64, as mean
        sum_squares += np.einsum("ij,ij->j", deviations, deviations)
    variance = sum_squares / X.shape[0]
    scale = np.sqrt(variance)
    scale[scale < 1e-12] = 1.0
    return _finite_statistics(mean.astype(X.dtype), scale.astype(X.dtype))


def _finite_statistics(mean, scale):
    if all_finite(mean) and all_finite(scale):
        return mean, scale
    raise ValueError(
        "The column means or standard deviations of X overflow its dtype, "
        f"{mean.dtype}, so X cannot be standardized. The input data may "
        "contain large values and need to be preprocessed: divide X by a "
        "constant of its magnitude first."
    )


def apply_in_chunks(fn, X, n_outputs, dtype, rows=None):
    """``fn`` applied to row chunks of X (of ``X[rows]``, without copying
    them all), written into one preallocated array."""
    n_rows = X.shape[0] if rows is None else len(rows)
    out = empty((n_rows, n_outputs), dtype, X)
    for chunk in gen_batches(n_rows, CHUNK_SIZE):
        out[chunk, ...] = fn(
            X[chunk, ...] if rows is None else take_rows(X, rows[chunk])
        )
    return out


def rows_with_weight(X, weights):
    """X without its zero-weight rows (X itself when there are none)."""
    if weights is None or weights.all():
        return X
    return take_rows(X, np.flatnonzero(weights))


def write_back(fitted, tuned):
    """The weights tuned in float32 copies written back into the fitted
    arrays, in their dtype (nothing to do for weights tuned in place)."""
    for p, q in zip(fitted, tuned, strict=True):
        if q is not p:
            p[...] = q
