"""Pretraining in PyTorch through the Array API, against numpy and a plain loop.

One layer of pretraining (512 units, MNIST-sized synthetic binary rows,
equal epochs, float32) three ways, each timed as the median of three fits:

- skdeep on numpy (the CPU path, no dispatch);
- skdeep on PyTorch tensors on ``--device`` (``array_api_dispatch=True``);
- a plain PyTorch loop of the same work, written here: for the RBM, CD-1
  with momentum SGD and weight decay at skdeep's batch size and learning
  rate; for the autoencoder, the tied, sparse, denoising layer with
  autograd and ``torch.optim.Adam``.

``plain loop time / skdeep time`` is what the Array API path costs over
hand-written PyTorch (the aim: at most 1.5x on a CUDA GPU).

    python benchmarks/bench_device.py --device cpu     # or cuda
"""

import argparse
import os
import time

os.environ.setdefault("SCIPY_ARRAY_API", "1")  # before scipy is imported

import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from _common import RESULTS, Report, auto_batch_size, binary_rows, machine  # noqa: E402

from skdeep import DBNTransformer, StackedAutoencoderTransformer  # noqa: E402

N_HIDDEN = 512


def timed(fn, device, repeats):
    """Median seconds of ``repeats`` calls (GPU work waited for)."""
    import torch

    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        if device == "cuda":
            torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def plain_cd1(X, epochs, batch_size, learning_rate, momentum=0.9, alpha=1e-5):
    """CD-1 as a plain PyTorch loop: sampled hiddens, sampled visibles, mean
    hiddens of the reconstruction; momentum SGD with weight decay."""
    import torch

    g = torch.Generator(device=X.device).manual_seed(0)
    n, d = X.shape
    bound = (6.0 / (d + N_HIDDEN)) ** 0.5
    W = (
        torch.rand(d, N_HIDDEN, generator=g, device=X.device, dtype=X.dtype) * 2 - 1
    ) * bound
    b_hid = torch.zeros(N_HIDDEN, device=X.device, dtype=X.dtype)
    b_vis = torch.zeros(d, device=X.device, dtype=X.dtype)
    velocities = [torch.zeros_like(p) for p in (W, b_hid, b_vis)]
    for _ in range(epochs):
        order = torch.randperm(n, generator=g, device=X.device)
        for start in range(0, n, batch_size):
            v0 = X[order[start : start + batch_size]]
            m = v0.shape[0]
            h0 = torch.sigmoid(v0 @ W + b_hid)
            hs = (
                torch.rand(h0.shape, generator=g, device=X.device, dtype=X.dtype) < h0
            ).to(X.dtype)
            v1_mean = torch.sigmoid(hs @ W.T + b_vis)
            v1 = (
                torch.rand(v1_mean.shape, generator=g, device=X.device, dtype=X.dtype)
                < v1_mean
            ).to(X.dtype)
            h1 = torch.sigmoid(v1 @ W + b_hid)
            grads = [
                (v1.T @ h1 - v0.T @ h0) / m + alpha * W,
                (h1 - h0).mean(0),
                (v1 - v0).mean(0),
            ]
            for p, v, grad in zip((W, b_hid, b_vis), velocities, grads, strict=True):
                v.mul_(momentum).sub_(learning_rate * grad)
                p.add_(v)
            float(((v1_mean - v0) ** 2).sum())  # the error skdeep reports
    return W


def plain_sparse_autoencoder(X, epochs, batch_size, learning_rate=0.01):
    """skdeep's default autoencoder layer as plain PyTorch with autograd:
    relu codes, tied sigmoid decoder with cross-entropy, KL sparsity on
    1 - exp(-h), 30% masking noise, L2 decay, Adam."""
    import torch

    g = torch.Generator(device=X.device).manual_seed(0)
    n, d = X.shape
    bound = (6.0 / (d + N_HIDDEN)) ** 0.5
    W = (
        (torch.rand(d, N_HIDDEN, generator=g, device=X.device, dtype=X.dtype) * 2 - 1)
        * bound
    ).requires_grad_()
    b_hid = torch.zeros(N_HIDDEN, device=X.device, dtype=X.dtype, requires_grad=True)
    b_vis = torch.zeros(d, device=X.device, dtype=X.dtype, requires_grad=True)
    optimizer = torch.optim.Adam([W, b_hid, b_vis], lr=learning_rate)
    rho, beta, alpha = max(0.05, min(0.25, 5 / N_HIDDEN)), 3.0, 1e-4
    for _ in range(epochs):
        order = torch.randperm(n, generator=g, device=X.device)
        for start in range(0, n, batch_size):
            x = X[order[start : start + batch_size]]
            kept = (
                torch.rand(x.shape, generator=g, device=X.device, dtype=X.dtype) >= 0.3
            )
            h = torch.relu((x * kept) @ W + b_hid)
            logits = h @ W.T + b_vis
            loss = (
                torch.nn.functional.binary_cross_entropy_with_logits(
                    logits, x, reduction="sum"
                )
                / x.shape[0]
            )
            q = (1 - torch.exp(-h)).mean(0).clamp(1e-6, 1 - 1e-6)
            kl = rho * torch.log(rho / q) + (1 - rho) * torch.log((1 - rho) / (1 - q))
            loss = loss + beta * kl.sum() + 0.5 * alpha * (W * W).sum()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            float(loss)
    return W


def runs(X, epochs):
    """layer -> (skdeep estimator factory, plain PyTorch loop of its work)."""
    n_rows = X.shape[0]
    rbm_batch = auto_batch_size(n_rows, "dbn")
    sae_batch = auto_batch_size(n_rows, "sae")
    rbm_rate = 0.1  # pretrain_learning_rate="auto" for Bernoulli visibles
    return {
        "RBM (DBNTransformer)": (
            lambda: DBNTransformer(
                (N_HIDDEN,), pretrain_iter=epochs, pretrain_tol=0, random_state=0
            ),
            lambda: plain_cd1(X, epochs, rbm_batch, rbm_rate),
        ),
        "autoencoder (StackedAutoencoderTransformer)": (
            lambda: StackedAutoencoderTransformer(
                (N_HIDDEN,),
                pretrain_iter=epochs,
                pretrain_tol=0,
                max_iter=0,
                random_state=0,
            ),
            lambda: plain_sparse_autoencoder(X, epochs, sae_batch),
        ),
    }


def time_rows(X_np, X, device, epochs, repeats):
    """One table row per layer: numpy, skdeep on torch, the plain loop."""
    rows = []
    for name, (make, plain) in runs(X, epochs).items():
        numpy_seconds = timed(lambda m=make: m().fit(X_np), "cpu", repeats)

        def in_torch(m=make):
            with sklearn.config_context(array_api_dispatch=True):
                m().fit(X)

        in_torch()  # warm-up: the device's kernels and allocator
        torch_seconds = timed(in_torch, device, repeats)
        plain()
        plain_seconds = timed(plain, device, repeats)
        rows.append(
            (
                name,
                f"{numpy_seconds:.2f}",
                f"{torch_seconds:.2f}",
                f"{plain_seconds:.2f}",
                f"{torch_seconds / plain_seconds:.2f}x",
            )
        )
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu", help="a torch device: cpu, cuda")
    parser.add_argument("--quick", action="store_true", help="smaller smoke run")
    args = parser.parse_args()
    import torch

    n_rows, epochs, repeats = (2000, 1, 1) if args.quick else (20000, 3, 3)
    X_np = binary_rows(n_rows).astype(np.float32)
    X = torch.asarray(X_np, device=args.device)
    rows = time_rows(X_np, X, args.device, epochs, repeats)
    report = Report()
    device_name = torch.cuda.get_device_name() if args.device == "cuda" else machine()
    report.add(
        f"# skdeep on PyTorch ({args.device})\n\n{device_name}; torch "
        f"{torch.__version__}, {torch.get_num_threads()} threads; {n_rows} x 784 "
        f"binary rows, {N_HIDDEN} hidden units, {epochs} epochs, float32, "
        f"median of {repeats}.\n"
    )
    report.table(
        "One layer of pretraining, seconds",
        [
            "layer",
            "skdeep, numpy (CPU)",
            f"skdeep, torch ({args.device})",
            f"plain torch loop ({args.device})",
            "skdeep torch / plain loop",
        ],
        rows,
    )
    if not args.quick:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / f"device_{args.device}.md").write_text("\n".join(report.lines))


if __name__ == "__main__":
    main()
