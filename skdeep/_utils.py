"""Helpers shared by the estimators: parameter checks, rng, chunked inference."""

import copy
import functools
from numbers import Integral

import numpy as np
import scipy.sparse as sp
from sklearn.base import _fit_context
from sklearn.utils import check_random_state, gen_batches
from sklearn.utils._array_api import check_same_namespace, get_namespace
from sklearn.utils.validation import check_array, check_is_fitted
from sklearn.utils.validation import validate_data as sklearn_validate_data

from skdeep._pretrain import Stream
from skdeep._xp import device_random, empty, is_numpy, take_rows, to_numpy, xp_of

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
    array on like's device: only numpy writes into buffers (see ``_xp``).
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


def check_hidden_layer_sizes(hidden_layer_sizes):
    """``hidden_layer_sizes`` as a non-empty tuple of positive ints."""
    sizes = hidden_layer_sizes
    if isinstance(sizes, Integral):
        sizes = (sizes,)
    sizes = tuple(sizes)
    if len(sizes) == 0 or not all(
        isinstance(s, Integral) and not isinstance(s, bool) and s > 0 for s in sizes
    ):
        raise ValueError(
            "hidden_layer_sizes must be a non-empty tuple of positive integers, "
            f"one per hidden layer, e.g. (256, 64); got {hidden_layer_sizes!r}."
        )
    return tuple(int(s) for s in sizes)


def make_rng(random_state):
    """A ``numpy.random.Generator`` seeded from sklearn's ``random_state``.

    One generator per fit, drawn from ``check_random_state`` so that an int, a
    RandomState or None behave as everywhere in sklearn; the Generator draws
    float32 directly, so random numbers come in the working dtype.
    """
    seed = check_random_state(random_state).randint(np.iinfo(np.int32).max)
    return np.random.default_rng(seed)


# batch_size="auto" aims at this many minibatches per epoch.
AUTO_BATCHES_PER_EPOCH = 50


def resolve_batch_size(
    batch_size,
    n_samples,
    smallest=128,
    largest=256,
    batches_per_epoch=AUTO_BATCHES_PER_EPOCH,
):
    """The minibatch size, never more than n_samples.

    "auto" is n_samples // batches_per_epoch clipped to [smallest, largest]: small data
    keep ``smallest`` (many updates per epoch), large data get minibatches
    whose products run near the machine's matrix-multiply peak.
    """
    if batch_size == "auto":
        per_epoch = n_samples // batches_per_epoch
        batch_size = min(max(per_epoch, smallest), largest)
    return max(1, min(batch_size, n_samples))


def check_positive_int(value, name):
    """``value`` as an int, or a ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
        raise ValueError(f"{name} must be a positive integer; got {value!r}.")
    return int(value)


def resolve_for_range(X, name, value, bounded, unbounded):
    """An "auto"-able option whose ``bounded`` choice needs X in [0, 1].

    "auto" gives ``bounded`` when every value of X lies in [0, 1] and
    ``unbounded`` otherwise; an explicit ``bounded`` on other data raises a
    ValueError naming the fixes.
    """
    low, high = value_range(X)
    in_unit_interval = low >= 0 and high <= 1
    if value == "auto":
        return bounded if in_unit_interval else unbounded
    if value == bounded and not in_unit_interval:
        raise ValueError(
            f'{name}="{bounded}" needs inputs in [0, 1]; X lies in [{low:.4g}, '
            f"{high:.4g}]. Scale X with sklearn.preprocessing.MinMaxScaler, or use "
            f'{name}="{unbounded}" (or "auto") for real-valued inputs.'
        )
    return value


def to_dense(X):
    """X as a dense array (a minibatch of a CSR matrix)."""
    return X.toarray() if sp.issparse(X) else X


def gather_rows(X, rows, prepare=None, workspace=None):
    """``prepare(X[rows])`` as a dense array: a minibatch.

    Dense X with no preparation is gathered straight into a buffer of the
    ``workspace`` when one is given (no new array per minibatch); otherwise,
    and for ``prepare`` (standardization, say) and CSR rows, it is indexed.
    """
    if prepare is None and workspace is not None and isinstance(X, np.ndarray):
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


def standardization(X):
    """Column means and standard deviations (constant columns get scale 1),
    in X's dtype, library and device."""
    if not is_numpy(X):
        xp = xp_of(X)
        mean = xp.mean(X, axis=0)
        scale = xp.sqrt(xp.mean((X - mean) ** 2, axis=0))
        return mean, xp.where(scale < 1e-12, xp.ones_like(scale), scale)
    mean = column_means(X)
    # squared deviations summed chunk by chunk: no temporary the size of X
    sum_squares = np.zeros(X.shape[1])
    for rows in gen_batches(X.shape[0], CHUNK_SIZE):
        deviations = np.subtract(to_dense(X[rows]), mean)  # float64, as mean
        sum_squares += np.einsum("ij,ij->j", deviations, deviations)
    variance = sum_squares / X.shape[0]
    scale = np.sqrt(variance)
    scale[scale < 1e-12] = 1.0
    return mean.astype(X.dtype), scale.astype(X.dtype)


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


# dtype= of the validation calls: float64 or float32 kept, in X's library
# (with array_api_dispatch) or numpy's.
FLOATS = "floats"


def _float_dtypes(kwargs, X):
    if kwargs.get("dtype") == FLOATS:
        xp, _ = get_namespace(X)
        kwargs["dtype"] = [xp.float64, xp.float32]
    return kwargs


def validate_data(estimator, *args, **kwargs):
    """sklearn's ``validate_data``, without the RuntimeWarning its finiteness
    test raises (inf - inf in a sum) on the way to its clear ValueError;
    ``dtype=FLOATS`` keeps float64 and float32 (else float64) in X's library."""
    kwargs = _float_dtypes(kwargs, args[0] if args else kwargs.get("X"))
    with np.errstate(invalid="ignore", over="ignore"):
        return sklearn_validate_data(estimator, *args, **kwargs)


def same_library(estimator, X, method):
    """With array_api_dispatch, a ValueError naming ``method`` unless X is of
    the fitted weights' library and on their device."""
    check_is_fitted(estimator)
    check_same_namespace(X, estimator, attribute="_reference_weights", method=method)


def validate_fitted_input(estimator, X, method="transform"):
    """X checked against a fitted estimator: finite, 2-D, the fitted width,
    and (with array_api_dispatch) of the fitted weights' library and device."""
    same_library(estimator, X, method)
    return validate_data(estimator, X, accept_sparse="csr", dtype=FLOATS, reset=False)


def map_rows(fn, estimator, X, n_outputs):
    """``fn`` over row chunks of X, in the dtype of X and the fitted weights."""
    dtype = xp_of(X).result_type(X.dtype, estimator.coefs_[0].dtype)
    return apply_in_chunks(fn, X, n_outputs, dtype)


def decode_codes(estimator, X, down_pass):
    """``inverse_transform``: top-layer codes X mapped by ``down_pass``."""
    same_library(estimator, X, "inverse_transform")
    with np.errstate(invalid="ignore", over="ignore"):  # see validate_data
        X = check_array(X, **_float_dtypes({"dtype": FLOATS}, X))
    n_codes = estimator._n_features_out
    if X.shape[1] != n_codes:
        raise ValueError(
            f"inverse_transform expects codes with {n_codes} features (the top "
            f"layer's size); got {X.shape[1]}."
        )
    return map_rows(down_pass, estimator, X, estimator.n_features_in_)


def fill_doc(**sections):
    """Class decorator: each ``    <name>`` line of the docstring becomes
    ``sections[name]`` (shared parameter and attribute documentation)."""

    def decorate(cls):
        doc = cls.__doc__
        for name, text in sections.items():
            placeholder = f"    <{name}>\n"
            if placeholder not in doc:
                raise ValueError(f"{cls.__name__}'s docstring has no <{name}>.")
            doc = doc.replace(placeholder, text + "\n")
        while "\n\n\n" in doc:
            doc = doc.replace("\n\n\n", "\n\n")
        cls.__doc__ = doc
        return cls

    return decorate


def streaming_state(estimator, going_on, X=None):
    """The ``Stream`` of ``partial_fit``: new on the first call, going on
    from a fitted model when ``going_on`` (see ``_seed_stream``); its random
    generator draws where arrays like X live."""
    stream = getattr(estimator, "_stream", None)
    if stream is None:
        rng = make_rng(estimator.random_state)
        rng = rng if X is None else device_random(rng, X)
        stream = estimator._stream = Stream(rng)
        if going_on:
            estimator._seed_stream(stream)
            stream.pretraining_calls = None
    return stream


def restore_on_error(method):
    """Decorator of ``fit`` and ``partial_fit``: when the call raises anything
    (a ``KeyboardInterrupt`` in the middle of training included), the
    estimator is put back exactly as it was before the call, instead of
    being left half-fitted. Training updates fitted arrays in place
    (``warm_start``, ``partial_fit``), so the state is copied first: a copy
    of the model, small next to an epoch's work."""

    @functools.wraps(method)
    def guarded(self, *args, **kwargs):
        saved = copy.deepcopy(self.__dict__)
        try:
            return method(self, *args, **kwargs)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(saved)
            raise

    return guarded


class PretrainedStackMixin:
    """What every estimator with a pretrained stack (``coefs_``,
    ``pretrain_loss_curves_``) tells about it."""

    @property
    def _reference_weights(self):
        """The array whose library and device inputs must share."""
        return self.coefs_[0]

    @property
    def pretrain_n_iter_(self):
        """Epochs each layer's pretraining ran."""
        return [len(curve) for curve in self.pretrain_loss_curves_]


class StreamedPretrainingMixin:
    """``partial_fit`` of the transformers and their epoch count.

    Subclasses name, in ``_fine_tuning_curve``, the attribute holding the
    curve of ``fit``'s own fine-tuning (end-to-end or wake-sleep), which
    ``partial_fit`` leaves to ``fit``.
    """

    @_fit_context(prefer_skip_nested_validation=True)
    @restore_on_error
    def partial_fit(self, X, y=None):
        """One epoch of layer-wise pretraining on a chunk of rows.

        Each layer trains one epoch on the rows as the layers below
        represent them (after their own epoch on this chunk), going on from
        the previous calls, or from ``fit``: the stream's weights,
        optimizer state and random generator. How the input is seen (the
        visible units or decoder, and the standardization of real values)
        comes from the first chunk; ``fit``'s own fine-tuning (end-to-end or
        wake-sleep) is left to ``fit``, and persistent chains restart with
        each chunk.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A chunk of training rows.

        y : None
            Ignored.

        Returns
        -------
        self : object
            The transformer.
        """
        fitted = hasattr(self, "coefs_")
        X = validate_data(
            self,
            X,
            accept_sparse="csr",
            dtype=FLOATS,
            reset=not fitted,
        )
        stream = streaming_state(self, fitted, X)
        self._pretrain_stack(X, stream.rng, stream)
        name = self._fine_tuning_curve
        setattr(self, name, getattr(self, name, []))
        self._count_epochs()
        return self

    def _count_epochs(self):
        """``n_iter_``: the pretraining epochs of every layer plus ``fit``'s
        fine-tuning epochs; and the width of the codes."""
        pretraining = sum(len(curve) for curve in self.pretrain_loss_curves_)
        self.n_iter_ = pretraining + len(getattr(self, self._fine_tuning_curve))
        self._n_features_out = self.coefs_[-1].shape[1]
