"""First-layer filters of a default StackedAutoencoderTransformer on MNIST
(the development rows), as 28x28 images: the figure the user guide shows.

Run: ``python benchmarks/plot_mnist_filters.py --data ../shared/data/mnist_dev.npz``
(under a minute). Writes ``benchmarks/results/mnist_filters.png``; without
``--data``, MNIST is fetched with ``fetch_openml`` as in ``bench_mnist.py``.
"""

import argparse

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from _common import RESULTS, SEED, load_mnist  # noqa: E402

from skdeep import StackedAutoencoderTransformer  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="local .npz with keys X (uint8) and y")
    args = parser.parse_args()
    X, _ = load_mnist(args.data)
    sae = StackedAutoencoderTransformer(random_state=SEED).fit(X)
    W = sae.coefs_[0]
    # pixels that are 0 in every row never reach a hidden unit: their weights
    # keep their random start and only blur the picture, so they show as 0
    W = np.where((X.max(axis=0) > 0)[:, np.newaxis], W, 0.0)
    # the 100 filters with the largest weight norms: the units in most use
    order = np.argsort(-np.linalg.norm(W, axis=0))[:100]
    fig, axes = plt.subplots(10, 10, figsize=(8, 8))
    for ax, unit in zip(axes.ravel(), order, strict=True):
        w = W[:, unit].reshape(28, 28)
        limit = np.abs(w).max()
        ax.imshow(w, cmap="gray", vmin=-limit, vmax=limit, interpolation="nearest")
        ax.set_axis_off()
    fig.suptitle(
        "StackedAutoencoderTransformer() at its defaults on MNIST:\n"
        "the 100 first-layer filters of largest norm (never-lit pixels at 0)"
    )
    fig.tight_layout()
    RESULTS.mkdir(exist_ok=True)
    fig.savefig(RESULTS / "mnist_filters.png", dpi=70)


if __name__ == "__main__":
    main()
