"""BLAS threads of a training run: one for small matrix products.

A minibatch product of a few million multiply-adds takes tens to hundreds of
microseconds. Split over several BLAS threads, it saves little on an idle
machine and, when another process holds a core, each product waits for the
thread that cannot run: fits on small data became several times slower on a
loaded two-core machine. So a run whose largest minibatch product is small
uses one BLAS thread, and a run of larger products keeps the threads the
process has (the user's ``threadpoolctl`` limits and a worker's single thread
included: a limit here only ever lowers the count). A whole ``fit`` or
``partial_fit`` call runs under the choice, its full-data passes too. The
choice follows the shapes alone, so the same data and settings always run
the same way (a product's rounding depends on its thread count). The
measurements behind the threshold are on the Performance page of the user
guide.
"""

from contextlib import nullcontext

# Multiply-adds of the largest minibatch product (rows x fan-in x fan-out)
# below which a run uses one BLAS thread.
SMALL_PRODUCT = 4_000_000

_controller = None


def _blas_controller():
    """The process's threadpoolctl controller, made on first use (it scans
    the loaded libraries once)."""
    global _controller
    if _controller is None:
        from threadpoolctl import ThreadpoolController

        _controller = ThreadpoolController()
    return _controller


def largest_product(layer_sizes, batch_size):
    """Multiply-adds of the largest product of a minibatch of ``batch_size``
    rows with the weights between consecutive ``layer_sizes``."""
    pairs = zip(layer_sizes[:-1], layer_sizes[1:], strict=True)
    return batch_size * max((a * b for a, b in pairs), default=0)


def blas_threads_for(layer_sizes, batch_size):
    """A context for training a stack of ``layer_sizes`` (inputs first) on
    minibatches of ``batch_size`` rows: one BLAS thread when its largest
    product is under ``SMALL_PRODUCT`` multiply-adds, the process's threads
    otherwise."""
    if largest_product(layer_sizes, batch_size) >= SMALL_PRODUCT:
        return nullcontext()
    return _blas_controller().limit(limits=1, user_api="blas")
