"""Input validation and the shared checks of the estimators: parameters,
random generators, fitted inputs, streaming state and error recovery."""

import copy
import functools
from contextlib import nullcontext
from numbers import Integral

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils._array_api import check_same_namespace, get_namespace
from sklearn.utils.validation import (
    _check_sample_weight,
    _num_features,
    _num_samples,
    check_array,
    check_is_fitted,
)
from sklearn.utils.validation import validate_data as sklearn_validate_data

from skdeep._core.arrays import apply_in_chunks, value_range
from skdeep._core.loops import Stream
from skdeep._core.threads import blas_threads_for
from skdeep._core.xp import all_finite, device_random, numpy_dtype, to_host, xp_of


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


def check_row_weights(sample_weight, X):
    """``sample_weight`` checked against X, on the host (None: none)."""
    if sample_weight is None:
        return None
    return _check_sample_weight(
        to_host(sample_weight),
        np.empty((X.shape[0], 0)),  # X's row count, on the host
        dtype=numpy_dtype(X.dtype),
        ensure_non_negative=True,
    )


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

# ... and, on fewer rows than the smallest minibatch, this many minibatches
# of at least this many rows: an epoch of one minibatch is one step, and the
# stopping rules, which count epochs, would judge a handful of steps.
AUTO_MIN_BATCHES = 8
AUTO_MIN_BATCH_ROWS = 8


def resolve_batch_size(
    batch_size,
    n_samples,
    smallest=128,
    largest=256,
    batches_per_epoch=AUTO_BATCHES_PER_EPOCH,
    chunk=False,
):
    """The minibatch size, never more than n_samples.

    "auto" is n_samples // batches_per_epoch clipped to [smallest, largest]: small data
    keep ``smallest`` (many updates per epoch), large data get minibatches
    whose products run near the machine's matrix-multiply peak. Fewer rows
    than ``smallest`` are split into ``AUTO_MIN_BATCHES`` minibatches of
    ``AUTO_MIN_BATCH_ROWS`` rows or more instead of one, unless they are a
    ``chunk`` of a ``partial_fit`` stream: a slice of a large data set,
    where no stopping rule counts epochs.
    """
    if batch_size == "auto":
        per_epoch = n_samples // batches_per_epoch
        if n_samples < smallest and not chunk:
            smallest = max(n_samples // AUTO_MIN_BATCHES, AUTO_MIN_BATCH_ROWS)
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
    ``dtype=FLOATS`` keeps float64 and float32 (else float64) in X's library.
    A numpy X that is not aligned in memory (as arrays that dask scatters to
    its workers arrive) is copied to aligned memory: numpy's row gathers and
    products on unaligned memory run several times slower."""
    kwargs = _float_dtypes(kwargs, args[0] if args else kwargs.get("X"))
    with np.errstate(invalid="ignore", over="ignore"):
        validated = sklearn_validate_data(estimator, *args, **kwargs)
    if isinstance(validated, tuple):
        return (_aligned(validated[0]), *validated[1:])
    return _aligned(validated)


def _aligned(X):
    if isinstance(X, np.ndarray) and not X.flags.aligned:
        return np.require(X, requirements="A")
    return X


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
    """``fn`` over row chunks of X, in the dtype of X and the fitted weights
    (a ValueError, see :func:`finite_outputs`, where some are not finite)."""
    dtype = xp_of(X).result_type(X.dtype, estimator.coefs_[0].dtype)
    return finite_outputs(apply_in_chunks(fn, X, n_outputs, dtype), estimator)


def finite_outputs(values, estimator):
    """``values``, computed by a fitted estimator from finite inputs, or a
    ValueError that says why some are not finite and what to do."""
    with np.errstate(invalid="ignore", over="ignore"):
        if all_finite(values):
            return values
    raise ValueError(
        f"{type(estimator).__name__} produced non-finite outputs: the input "
        "holds values too large for the fitted model (they overflow on the "
        f"way through it, in {values.dtype}). Scale X the way the training "
        "data were scaled (StandardScaler, MinMaxScaler) before this call."
    )


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


# The callbacks and scikit-learn's bookkeeping of their running fit: kept
# as they are (never copied), so that the callbacks the user holds see the
# whole fit and are torn down after an error too.
LIVE = (
    "_skl_callbacks",
    "_skl_callbacks_to_teardown",
    "_callback_fit_ctx",
    "_parent_callback_ctx",
)


def restore_on_error(method):
    """Decorator of ``fit`` and ``partial_fit``: when the call raises anything
    (a ``KeyboardInterrupt`` in the middle of training included), the
    estimator is put back exactly as it was before the call, instead of
    being left half-fitted. Training updates fitted arrays in place
    (``warm_start``, ``partial_fit``), so the state is copied first: a copy
    of the model, small next to an epoch's work."""

    @functools.wraps(method)
    def guarded(self, *args, **kwargs):
        state = self.__dict__
        saved = copy.deepcopy({k: v for k, v in state.items() if k not in LIVE})
        try:
            return method(self, *args, **kwargs)
        except BaseException:
            live = {k: state[k] for k in LIVE if k in state}
            state.clear()
            state.update(saved, **live)
            raise

    return guarded


def small_products_on_one_thread(method):
    """Decorator of ``fit`` and ``partial_fit``: the call runs on one BLAS
    thread when its minibatch products are small (see
    :mod:`skdeep._core.threads`), on the process's threads otherwise."""

    @functools.wraps(method)
    def threaded(self, X, *args, **kwargs):
        with _fit_threads(self, X):
            return method(self, X, *args, **kwargs)

    return threaded


def _fit_threads(estimator, X):
    """The BLAS-thread context of training ``estimator`` on X, decided
    before validation: settings or data it cannot size (which validation
    then rejects) keep the process's threads."""
    try:
        n_samples, n_features = _num_samples(X), _num_features(X)
        sizes = check_hidden_layer_sizes(estimator.hidden_layer_sizes)
        batch_size = min(estimator._batch_size(n_samples), n_samples)
    except (TypeError, ValueError):
        return nullcontext()
    return blas_threads_for((n_features, *sizes), batch_size)
