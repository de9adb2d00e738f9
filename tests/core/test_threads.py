from unittest import mock

import numpy as np
import pytest
from sklearn.datasets import load_digits
from threadpoolctl import threadpool_info, threadpool_limits

import skdeep
import skdeep._core.loops as loops
from skdeep._core.threads import SMALL_PRODUCT, largest_product


def blas_threads():
    return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]


def test_largest_product_is_the_widest_layer_pair_times_the_batch():
    assert largest_product((64, 100, 30), 90) == 90 * 64 * 100
    assert largest_product((784, 500, 500), 200) == 200 * 784 * 500
    assert largest_product((5,), 10) == 0


def threads_while_training(model, X, y):
    """The BLAS thread counts seen at the start of every training epoch of
    ``model.fit(X, y)``."""
    seen, one_epoch = [], loops._one_epoch

    def recording(*args, **kwargs):
        seen.append(blas_threads())
        return one_epoch(*args, **kwargs)

    with mock.patch.object(loops, "_one_epoch", recording):
        model.fit(X, y)
    assert seen
    return seen


@pytest.mark.usefixtures("quiet_convergence")
@pytest.mark.parametrize("name", ["DBNClassifier", "StackedAutoencoderRegressor"])
def test_small_products_train_on_one_blas_thread_large_ones_on_all(name):
    """digits with (100,): under SMALL_PRODUCT multiply-adds per minibatch
    product, so every epoch runs on one BLAS thread; 784 features into 500
    units: above it, so every epoch keeps the process's threads. Either way
    the threads are as they were afterwards."""
    X, y = load_digits(return_X_y=True)
    X, outside = X / 16, blas_threads()
    model = getattr(skdeep, name)((100,), pretrain_iter=2, max_iter=2, random_state=0)
    assert largest_product((64, 100), model._batch_size(len(X))) < SMALL_PRODUCT
    seen = threads_while_training(model, X, y)
    assert all(threads == [1] * len(outside) for threads in seen)
    assert blas_threads() == outside

    wide = np.random.default_rng(0).random((300, 784))
    model.set_params(hidden_layer_sizes=(500,))
    assert largest_product((784, 500), model._batch_size(300)) >= SMALL_PRODUCT
    seen = threads_while_training(model, wide, y[:300])
    assert all(threads == outside for threads in seen)
    assert blas_threads() == outside


@pytest.mark.usefixtures("quiet_convergence")
def test_a_users_thread_limit_holds_for_large_products():
    X = np.random.default_rng(0).random((300, 784))
    model = skdeep.DBNTransformer((500,), pretrain_iter=1, random_state=0)
    with threadpool_limits(limits=1, user_api="blas"):
        seen = threads_while_training(model, X, None)
    assert all(set(threads) == {1} for threads in seen)


def test_a_fit_it_cannot_size_gets_validations_error():
    with pytest.raises(ValueError, match="hidden_layer_sizes"):
        skdeep.DBNClassifier(hidden_layer_sizes=(0,)).fit([[0.0, 1.0]] * 4, [0, 1] * 2)
