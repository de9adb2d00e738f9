import numpy as np
import pytest

from skdeep._core.activations import kl_sparsity
from skdeep._core.autoencoder import (
    corrupt,
    decode,
    encode,
    init_layer,
    layer_loss_and_gradient,
    unroll,
)
from skdeep._core.network import loss_and_gradient, predict_output
from tests._helpers import assert_gradients_match, numerical_gradient


def _layer(n_visible, n_hidden, *, tied, decoder, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    X = rng.uniform(size=(7, n_visible)).astype(dtype)
    if decoder == "identity":
        X = (X - 0.5) * 3
    params = init_layer(
        n_visible,
        n_hidden,
        tied=tied,
        decoder=decoder,
        visible_mean=X.mean(axis=0),
        rng=rng,
        dtype=dtype,
    )
    params[1] += rng.normal(scale=0.3, size=n_hidden)  # non-trivial hidden biases
    return params, X


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("sparsity_weight", [0.0, 0.7])
@pytest.mark.parametrize("tied", [True, False])
@pytest.mark.parametrize("decoder", ["sigmoid", "identity"])
def test_layer_gradient_matches_finite_differences(
    activation, sparsity_weight, tied, decoder
):
    params, X = _layer(6, 4, tied=tied, decoder=decoder)
    kwargs = dict(
        activation=activation,
        decoder=decoder,
        sparsity_target=0.1,
        sparsity_weight=sparsity_weight,
        alpha=0.01,
    )
    _, grads = layer_loss_and_gradient(params, X, **kwargs)
    numeric = numerical_gradient(
        lambda: layer_loss_and_gradient(params, X, **kwargs)[0], params
    )
    assert_gradients_match(grads, numeric)


def test_layer_loss_against_direct_formula():
    params, X = _layer(5, 3, tied=True, decoder="sigmoid", seed=3)
    W, b_hid, b_vis = params
    H = 1 / (1 + np.exp(-(X @ W + b_hid)))
    R = 1 / (1 + np.exp(-(H @ W.T + b_vis)))
    cross_entropy = -np.mean(np.sum(X * np.log(R) + (1 - X) * np.log(1 - R), axis=1))
    rho, rho_hat, beta, alpha = 0.2, H.mean(axis=0), 0.5, 0.1
    kl = np.sum(
        rho * np.log(rho / rho_hat) + (1 - rho) * np.log((1 - rho) / (1 - rho_hat))
    )
    expected = cross_entropy + beta * kl + alpha / 2 * np.sum(W**2)
    loss, _ = layer_loss_and_gradient(
        params,
        X,
        activation="sigmoid",
        decoder="sigmoid",
        sparsity_target=rho,
        sparsity_weight=beta,
        alpha=alpha,
    )
    assert loss == pytest.approx(expected)


def test_kl_sparsity_is_zero_at_target_and_positive_elsewhere():
    H = np.full((10, 3), 0.05)
    loss, grad = kl_sparsity(H, "sigmoid", 0.05, 1.0)
    assert loss == pytest.approx(0)
    np.testing.assert_allclose(grad, 0, atol=1e-12)
    assert kl_sparsity(H + 0.2, "sigmoid", 0.05, 1.0)[0] > 0


def test_denoising_uses_corrupted_input_and_clean_target():
    params, X = _layer(6, 4, tied=True, decoder="sigmoid")
    kwargs = dict(
        activation="sigmoid",
        decoder="sigmoid",
        sparsity_target=0.1,
        sparsity_weight=0.0,
        alpha=0.0,
    )
    X_input = corrupt(X, 0.5, np.random.default_rng(0))
    noisy, _ = layer_loss_and_gradient(params, X, X_input=X_input, **kwargs)
    W, b_hid, b_vis = params
    R = decode(encode(X_input, W, b_hid, "sigmoid"), W.T, b_vis, "sigmoid")
    expected = -np.mean(np.sum(X * np.log(R) + (1 - X) * np.log(1 - R), axis=1))
    assert noisy == pytest.approx(expected)


def test_corrupt_masks_the_requested_fraction_without_touching_input():
    X = np.ones((200, 50), dtype=np.float32)
    X.setflags(write=False)
    Y = corrupt(X, 0.3, np.random.default_rng(0))
    assert Y.dtype == np.float32
    assert np.mean(Y == 0) == pytest.approx(0.3, abs=0.02)
    assert np.all(X == 1)
    assert corrupt(X, 0.0, np.random.default_rng(0)) is X


@pytest.mark.parametrize("tied", [True, False])
def test_unrolled_two_layer_gradient_and_reconstruction(tied):
    rng = np.random.default_rng(4)
    bottom, X = _layer(6, 4, tied=tied, decoder="sigmoid", seed=4)
    top = init_layer(
        4,
        3,
        tied=tied,
        decoder="sigmoid",
        visible_mean=np.full(4, 0.5),
        rng=rng,
        dtype=np.float64,
    )
    params, layers = unroll([bottom, top], "sigmoid", ["sigmoid", "sigmoid"])
    assert len(layers) == 4 and params[0] is bottom[0]

    def loss():
        return loss_and_gradient(params, layers, X, X, alpha=0.05)[0]

    _, grads = loss_and_gradient(params, layers, X, X, alpha=0.05)
    assert_gradients_match(grads, numerical_gradient(loss, params))
    # the unrolled network's output is the stack's up-pass then down-pass
    H = encode(encode(X, bottom[0], bottom[1], "sigmoid"), top[0], top[1], "sigmoid")
    W_dec = [layer[0].T if tied else layer[3] for layer in (bottom, top)]
    R = decode(decode(H, W_dec[1], top[2], "sigmoid"), W_dec[0], bottom[2], "sigmoid")
    np.testing.assert_allclose(predict_output(params, layers, X), R)


def test_init_layer_dtype_and_visible_bias():
    params = init_layer(
        3,
        2,
        tied=False,
        decoder="sigmoid",
        visible_mean=np.array([0.5, 0.9, 0.0]),
        rng=np.random.default_rng(0),
        dtype=np.float32,
    )
    assert [p.dtype for p in params] == [np.float32] * 4
    assert [p.shape for p in params] == [(3, 2), (2,), (3,), (2, 3)]
    sigmoid_of_bias = 1 / (1 + np.exp(-params[2].astype(np.float64)))
    np.testing.assert_allclose(sigmoid_of_bias, [0.5, 0.9, 1e-3], rtol=1e-4)
