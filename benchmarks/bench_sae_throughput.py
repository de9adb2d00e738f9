"""Pretraining throughput of StackedAutoencoderTransformer against GEMM peak.

Measures, in one process: the machine's matrix-multiply throughput (a large
square product, and the three GEMM shapes one autoencoder minibatch uses), and
the GFLOP/s that one layer of pretraining sustains, counting five products of
batch x n_visible x n_hidden per minibatch (encode, decode, and the three
backward products). Run: ``python benchmarks/bench_sae_throughput.py``.
"""

import time

import numpy as np

from skdeep import StackedAutoencoderTransformer


def median_time(fn, repeats=5):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def gemm_gflops(m, k, n, dtype, repeats=20):
    rng = np.random.default_rng(0)
    A = rng.random((m, k), dtype=dtype)
    B = rng.random((k, n), dtype=dtype)
    A @ B
    seconds = median_time(lambda: [A @ B for _ in range(repeats)]) / repeats
    return 2 * m * k * n / seconds / 1e9


def training_gemm_gflops(batch, n_visible, n_hidden, dtype):
    """Mean throughput over the three GEMM shapes of one autoencoder step."""
    shapes = [
        (batch, n_visible, n_hidden),
        (batch, n_hidden, n_visible),
        (n_visible, batch, n_hidden),
    ]
    return float(np.mean([gemm_gflops(*s, dtype) for s in shapes]))


def pretrain_gflops(n_samples, n_visible, n_hidden, batch, dtype, epochs=3):
    rng = np.random.default_rng(0)
    X = (rng.random((n_samples, n_visible)) < 0.2).astype(dtype)
    sae = StackedAutoencoderTransformer(
        (n_hidden,),
        pretrain_iter=epochs,
        max_iter=0,
        batch_size=batch,
        random_state=0,
    )
    seconds = median_time(lambda: sae.fit(X), repeats=3)
    flops = 5 * 2 * n_samples * n_visible * n_hidden * epochs
    return flops / seconds / 1e9, seconds


def main():
    print(
        "| dtype | square GEMM peak | training GEMM shapes | pretraining | "
        "pretraining / peak |"
    )
    print("|---|---|---|---|---|")
    n_samples, n_visible, n_hidden, batch = 20000, 784, 512, 128
    for dtype in (np.float32, np.float64):
        peak = gemm_gflops(2048, 2048, 2048, dtype, repeats=3)
        shapes = training_gemm_gflops(batch, n_visible, n_hidden, dtype)
        achieved, seconds = pretrain_gflops(
            n_samples, n_visible, n_hidden, batch, dtype
        )
        print(
            f"| {np.dtype(dtype).name} | {peak:.0f} GFLOP/s | {shapes:.0f} GFLOP/s "
            f"| {achieved:.0f} GFLOP/s ({seconds:.2f} s) | {achieved / peak:.0%} |"
        )
    print(
        f"\n{n_samples} x {n_visible} binary input, {n_hidden} hidden units, "
        f"batch {batch}, 3 epochs, medians of 3 fits"
    )


if __name__ == "__main__":
    main()
