"""Pretraining speed against the machine's GEMM peak and sklearn's BernoulliRBM.

One process, one run. For float32 and float64 it measures:

- the matrix-multiply peak (a 2048^3 product) and the throughput of the GEMM
  shapes one minibatch of pretraining uses;
- GFLOP/s of one layer of pretraining, counting five products of
  batch x n_visible x n_hidden per minibatch (CD-1: up, down, up again and
  the two outer products; an autoencoder: encode, decode and three backward
  products), for DBNTransformer, StackedAutoencoderTransformer and
  sklearn's BernoulliRBM (PCD-1, the same five products), each at its own
  default batch size and at the same batch size.

Run: ``python benchmarks/bench_pretraining.py [--quick]``. Prints a markdown
table; times are medians of repeated fits.
"""

import argparse
import platform
import time

import numpy as np
from sklearn.neural_network import BernoulliRBM

from skdeep import DBNTransformer, StackedAutoencoderTransformer


def median_seconds(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def gemm_gflops(m, k, n, dtype, repeats=10):
    rng = np.random.default_rng(0)
    A, B = rng.random((m, k), dtype=dtype), rng.random((k, n), dtype=dtype)
    A @ B
    seconds = median_seconds(lambda: [A @ B for _ in range(repeats)], 3) / repeats
    return 2 * m * k * n / seconds / 1e9


def training_shapes_gflops(batch, n_visible, n_hidden, dtype):
    shapes = [
        (batch, n_visible, n_hidden),
        (batch, n_hidden, n_visible),
        (n_visible, batch, n_hidden),
    ]
    return float(np.mean([gemm_gflops(*s, dtype) for s in shapes]))


def pretraining_gflops(make, X, n_hidden, epochs, repeats):
    seconds = median_seconds(lambda: make().fit(X), repeats)
    flops = 5 * 2 * X.shape[0] * X.shape[1] * n_hidden * epochs
    return flops / seconds / 1e9, seconds


def estimators(n_hidden, epochs, batch):
    """name -> factory, at each one's default batch size and at ``batch``."""
    return {
        "DBNTransformer (default batch)": lambda: DBNTransformer(
            (n_hidden,), pretrain_iter=epochs, random_state=0
        ),
        f"DBNTransformer (batch {batch})": lambda: DBNTransformer(
            (n_hidden,), pretrain_iter=epochs, batch_size=batch, random_state=0
        ),
        "StackedAutoencoder (default batch)": lambda: StackedAutoencoderTransformer(
            (n_hidden,), pretrain_iter=epochs, max_iter=0, random_state=0
        ),
        "BernoulliRBM (default batch 10)": lambda: BernoulliRBM(
            n_hidden, n_iter=epochs, random_state=0
        ),
        f"BernoulliRBM (batch {batch})": lambda: BernoulliRBM(
            n_hidden, n_iter=epochs, batch_size=batch, random_state=0
        ),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="smaller data")
    parser.add_argument("--batch", type=int, default=128, help="common batch size")
    args = parser.parse_args()
    n_samples, n_visible, n_hidden = 10000, 784, 512
    epochs, repeats = 2, 3
    if args.quick:
        n_samples, repeats = 2000, 1
    rng = np.random.default_rng(0)
    X64 = (rng.random((n_samples, n_visible)) < 0.2).astype(np.float64)
    print(
        f"machine: {platform.processor() or platform.machine()}, numpy "
        f"{np.__version__}; data {n_samples} x {n_visible} binary, {n_hidden} "
        f"hidden, {epochs} epochs, medians of {repeats}\n"
    )
    print("| dtype | what | GFLOP/s | time (s) | % of GEMM peak |")
    print("|---|---|---|---|---|")
    for dtype in (np.float32, np.float64):
        X = X64.astype(dtype)
        name = np.dtype(dtype).name
        peak = gemm_gflops(2048, 2048, 2048, dtype, repeats=3)
        shapes = training_shapes_gflops(args.batch, n_visible, n_hidden, dtype)
        print(f"| {name} | GEMM peak (2048^3) | {peak:.0f} | | 100% |")
        print(
            f"| {name} | GEMM at batch {args.batch} shapes | {shapes:.0f} | "
            f"| {shapes / peak:.0%} |"
        )
        for label, make in estimators(n_hidden, epochs, args.batch).items():
            gflops, seconds = pretraining_gflops(make, X, n_hidden, epochs, repeats)
            print(
                f"| {name} | {label} | {gflops:.1f} | {seconds:.2f} | "
                f"{gflops / peak:.0%} |"
            )


if __name__ == "__main__":
    main()
