"""The one seam between numpy and the other Array API libraries.

The math of skdeep is written once, against the Array API standard: ``xp`` is
array-api-compat's namespace (scikit-learn's vendored copy) of the arrays'
library: numpy's (thin wrappers that give numpy 1.x the standard's
functions), PyTorch's, CuPy's or array-api-strict's. What the numpy
path needs for speed and the standard lacks lives here and nowhere else:

- ``out=`` buffers. :func:`matmul` and :func:`ufunc` write into the given
  array with numpy and return a new array elsewhere, so callers always use
  the returned value; :class:`~skdeep._core.arrays.Workspace` hands out buffers on
  the arrays' device.
- Random numbers. With numpy, the fit's ``numpy.random.Generator`` (and its
  16-bit Bernoulli draws, see ``skdeep._core.network.uniform_bits``). Elsewhere a
  :class:`DeviceRandom`: PyTorch's or CuPy's own generator on the arrays'
  device, seeded from the fit's generator, so that the same ``random_state``
  on the same device gives the same model; a library without a generator
  (array-api-strict) gets numpy's draws, copied to it. Host-side draws
  (initial weights, minibatch order) stay numpy's everywhere, so initial
  weights are the same whatever the library.
- Sparse input, which only numpy (scipy) has.
"""

import numpy as np
import scipy.sparse as sp
from sklearn.externals import array_api_compat as compat
from sklearn.utils._array_api import move_to
from sklearn.utils.extmath import safe_sparse_dot

# array-api-compat's numpy namespace, for numpy arrays and sparse matrices
NUMPY = compat.array_namespace(np.empty(0))


def xp_of(*arrays):
    """The standard namespace of the first array (numpy's for numpy arrays
    and scipy sparse matrices)."""
    for array in arrays:
        if array is None:
            continue
        if isinstance(array, np.ndarray) or sp.issparse(array):
            return NUMPY
        return compat.array_namespace(array)
    return NUMPY


def is_numpy(array):
    return isinstance(array, np.ndarray) or sp.issparse(array)


def device_of(array):
    return "cpu" if is_numpy(array) else compat.device(array)


def matmul(A, B, out=None):
    """A @ B for dense or CSR A; into ``out`` (a C-ordered array of the
    result's shape and dtype) with numpy when given."""
    if sp.issparse(A):
        product = safe_sparse_dot(A, B, dense_output=True)
        if out is None:
            return product
        out[...] = product
        return out
    if out is not None and isinstance(A, np.ndarray):
        return np.matmul(A, B, out=out)
    return A @ B


def ufunc(name, *args, out=None):
    """``xp.<name>(*args)``: into ``out`` with numpy, a new array elsewhere
    (the standard has no ``out=``); Python scalars among ``args`` become
    arrays of the arrays' dtype there."""
    arrays = [a for a in args if not isinstance(a, (int, float))]
    if isinstance(arrays[0], np.ndarray):
        return getattr(np, name)(*args, out=out)
    like = arrays[0]
    xp = compat.array_namespace(like)
    args = [
        xp.asarray(a, dtype=like.dtype, device=compat.device(like))
        if isinstance(a, (int, float))
        else a
        for a in args
    ]
    return getattr(xp, name)(*args)


def dot_all(A, B):
    """sum_ij a_ij b_ij as a float (numpy: one BLAS dot, no temporary)."""
    if isinstance(A, np.ndarray):
        return float(np.dot(A.ravel(), B.ravel()))
    return float(compat.array_namespace(A).sum(A * B))


def row_dots(A, B):
    """sum_j a_ij b_ij for every row i, in float64."""
    if isinstance(A, np.ndarray):
        return np.einsum("ij,ij->i", A, B, dtype=np.float64)
    xp = compat.array_namespace(A)
    return xp.sum(A * B, axis=1, dtype=xp.float64)


def empty(shape, dtype, like=None):
    """An uninitialized array of ``shape`` and ``dtype`` (numpy, or like's
    library and device)."""
    if like is None or is_numpy(like):
        return np.empty(shape, dtype=dtype)
    xp = compat.array_namespace(like)
    return xp.empty(shape, dtype=dtype, device=compat.device(like))


def full(shape, value, dtype, like=None):
    """``value`` everywhere, in ``dtype`` (numpy, or like's library and device)."""
    if like is None or is_numpy(like):
        return np.full(shape, value, dtype=numpy_dtype(dtype))
    xp = compat.array_namespace(like)
    return xp.full(shape, value, dtype=dtype, device=compat.device(like))


def zeros(shape, dtype, like=None):
    return full(shape, 0.0, dtype, like)


def less(A, B, out=None):
    """A < B as 0 / 1 in A's dtype (into ``out`` with numpy)."""
    if isinstance(A, np.ndarray):
        return np.less(A, B, out=out)
    return compat.array_namespace(A).astype(A < B, A.dtype)


def stacked(buffer, top, bottom):
    """[top; bottom] as one array. With numpy, ``buffer`` (of the stacked
    shape) is filled where ``top`` or ``bottom`` do not already live in it
    (written there through ``out=``); elsewhere a concatenation."""
    if not isinstance(buffer, np.ndarray):
        xp = compat.array_namespace(top)
        return xp.concat([top, bottom], axis=0)
    n = top.shape[0]
    if not np.may_share_memory(top, buffer):
        buffer[:n] = top
    if not np.may_share_memory(bottom, buffer):
        buffer[n:] = bottom
    return buffer


def as_numbers(mask, dtype):
    """A boolean array as 0 / 1 in ``dtype``: numpy multiplies booleans as
    they are (no conversion pass); the standard wants numbers."""
    if isinstance(mask, np.ndarray):
        return mask
    return compat.array_namespace(mask).astype(mask, dtype)


def asarray(array, like, dtype=None):
    """``array`` (numpy, or of like's library) in like's namespace, on its
    device, in ``dtype`` (default: like's dtype)."""
    dtype = like.dtype if dtype is None else dtype
    if is_numpy(like):
        return np.asarray(array, dtype=dtype)
    xp = compat.array_namespace(like)
    if isinstance(array, np.ndarray):
        array = np.ascontiguousarray(array)
    return xp.asarray(array, dtype=dtype, device=compat.device(like))


def in_library_of(array, like):
    """A host (numpy) array in like's library and on its device, its dtype
    kept; the array itself for numpy."""
    if is_numpy(like):
        return array
    xp = compat.array_namespace(like)
    return xp.asarray(np.ascontiguousarray(array), device=compat.device(like))


def to_host(array):
    """Arrays of another library as numpy arrays; anything else (numpy,
    sparse, lists, DataFrames, None) as it is."""
    if array is None or is_numpy(array) or not compat.is_array_api_obj(array):
        return array
    return to_numpy(array)


def copy(array):
    """A copy of ``array`` in its own library and device."""
    if isinstance(array, np.ndarray):
        return array.copy()
    return compat.array_namespace(array).asarray(array, copy=True)


def as_float32(array):
    """``array`` (numpy, sparse or another library's) in float32, in its
    own library and on its device; the array itself when it is float32."""
    if isinstance(array, np.ndarray) or sp.issparse(array):
        return array.astype(np.float32, copy=False)
    xp = compat.array_namespace(array)
    return xp.astype(array, xp.float32, copy=False)


def all_finite(array):
    """Whether every entry of ``array`` is finite."""
    if isinstance(array, np.ndarray):
        return bool(np.isfinite(array).all())
    xp = compat.array_namespace(array)
    return bool(xp.all(xp.isfinite(array)))


def to_numpy(array):
    """A numpy copy (or the array itself) on the host."""
    if is_numpy(array):
        return array
    return move_to(array, xp=np, device="cpu")


def numpy_dtype(dtype):
    """The numpy dtype of the same name as a library's floating dtype."""
    if isinstance(dtype, np.dtype) or isinstance(dtype, type):
        return np.dtype(dtype)
    return np.dtype(str(dtype).rsplit(".", 1)[-1])


def take_rows(X, rows):
    """X[rows] for an integer index array ``rows`` (numpy, host side)."""
    if is_numpy(X):
        return X[rows]
    xp = compat.array_namespace(X)
    index = xp.asarray(np.asarray(rows, dtype=np.int64), device=compat.device(X))
    return xp.take(X, index, axis=0)


class DeviceRandom:
    """Random draws on the device of a PyTorch or CuPy array, from the
    library's own generator seeded from the fit's numpy Generator; numpy's
    draws, copied there, for a library without one (array-api-strict).

    ``random`` and ``standard_normal`` draw on the device, in the working
    dtype; every other method (``permutation``, ``choice``, ``uniform``,
    ``integers``: host-side draws) is the numpy Generator's.
    """

    def __init__(self, rng, like):
        self.numpy = rng
        xp, device = compat.array_namespace(like), compat.device(like)
        # an empty array of like's library, dtype and device: what is drawn
        # and where (not like itself, which may be the whole training set)
        self.like = xp.empty((0,), dtype=like.dtype, device=device)
        seed = int(rng.integers(2**62))
        self._torch = self._cupy = None
        if compat.is_torch_namespace(xp):
            import torch

            self._torch = torch.Generator(device=device).manual_seed(seed)
            self._device = device
        elif compat.is_cupy_namespace(xp):
            import cupy

            self._cupy = cupy.random.default_rng(seed)
        else:
            self._host = np.random.default_rng(seed)

    def random(self, shape, dtype=None, out=None):
        """Uniform [0, 1) draws of ``shape`` in ``dtype``, on the device."""
        return self._draw("random", shape, dtype)

    def standard_normal(self, shape, dtype=None, out=None):
        """N(0, 1) draws of ``shape`` in ``dtype``, on the device."""
        return self._draw("standard_normal", shape, dtype)

    def _draw(self, kind, shape, dtype):
        """``kind`` ("random" or "standard_normal") draws, in the library."""
        dtype = self.like.dtype if dtype is None else dtype
        shape = tuple(int(s) for s in shape)
        if self._torch is not None:
            import torch

            draw = torch.rand if kind == "random" else torch.randn
            return draw(shape, generator=self._torch, dtype=dtype, device=self._device)
        if self._cupy is not None:
            return getattr(self._cupy, kind)(shape, dtype=dtype)
        draws = getattr(self._host, kind)(shape, dtype=numpy_dtype(dtype))
        return asarray(draws, self.like, dtype)

    def __getstate__(self):
        """Picklable (and deep-copyable): a torch Generator travels as its
        state and device."""
        state = dict(self.__dict__)
        if self._torch is not None:
            state["_torch"] = (self._torch.get_state(), str(self._device))
        return state

    def __setstate__(self, state):
        if state.get("_torch") is not None:
            import torch

            generator_state, device = state["_torch"]
            generator = torch.Generator(device=device)
            generator.set_state(generator_state)
            state["_torch"] = generator
        self.__dict__.update(state)

    def __getattr__(self, name):
        if name.startswith("_") or name in ("numpy", "like"):
            raise AttributeError(name)
        return getattr(self.numpy, name)


def device_random(rng, X):
    """The fit's generator for arrays like X: ``rng`` itself for numpy."""
    return rng if is_numpy(X) else DeviceRandom(rng, X)
