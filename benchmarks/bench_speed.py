"""skdeep's speed against scikit-learn, in one process and one run.

Sections, each printed as a markdown table:

1. the machine's matrix-multiply peak (a 2048^3 product) and the throughput
   of the products one minibatch of pretraining uses, float32 and float64;
2. one layer of pretraining, equal epochs and hidden units, DBNTransformer
   against sklearn's BernoulliRBM (each at its default batch size, and
   BernoulliRBM at skdeep's), on digits and on MNIST-sized data (synthetic
   binary rows of 784 features), in GFLOP/s: five products of batch x
   visible x hidden per minibatch (CD-1: up, down, up, and the two outer
   products; BernoulliRBM's PCD-1 does the same five; a tied autoencoder
   layer, shown too, does encode, decode and three backward products);
3. the quality bought with that speed: 5-fold CV accuracy on digits of
   LogisticRegression on each one's features;
4. fine-tuning time per epoch, DBNClassifier against MLPClassifier with the
   same architecture (logistic units), batch size and solver (Adam);
5. scaling of DBNTransformer's fit time with n_samples and with width;
6. peak memory (tracemalloc) of fit and transform on a large input.

Run: ``python benchmarks/bench_speed.py`` (about 4 minutes on 2 cores;
``--quick`` for a smaller smoke run). Writes the tables to
``benchmarks/results/speed.md`` and a plot to ``benchmarks/results/speed.png``
(when matplotlib is installed). Times are medians of repeated fits; the
ratios matter more than absolute numbers on a shared machine.
"""

import argparse
import time
import tracemalloc
import warnings

import numpy as np
from _common import RESULTS, Report, auto_batch_size, binary_rows, machine, pyplot
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.neural_network import BernoulliRBM, MLPClassifier
from sklearn.pipeline import make_pipeline

from skdeep import DBNClassifier, DBNTransformer, StackedAutoencoderTransformer

DTYPES = (np.float32, np.float64)


def median_seconds(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def gemm_gflops(m, k, n, dtype, repeats=5):
    """The best throughput of 5 timings of ``repeats`` products: a peak, so
    that shares of it are conservative on a noisy machine."""
    rng = np.random.default_rng(0)
    A, B = rng.random((m, k), dtype=dtype), rng.random((k, n), dtype=dtype)
    A @ B
    times = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(repeats):
            A @ B
        times.append((time.perf_counter() - start) / repeats)
    return 2 * m * k * n / min(times) / 1e9


def digits():
    X, y = load_digits(return_X_y=True)
    return X / 16.0, y


def gemm_section(report, sizes):
    n_samples, n_visible, n_hidden = sizes
    batch = auto_batch_size(n_samples, "dbn")
    shapes = [(batch, n_visible, n_hidden), (batch, n_hidden, n_visible)]
    shapes.append((n_visible, batch, n_hidden))
    rows, peaks = [], {}
    for dtype in DTYPES:
        peak = peaks[dtype] = gemm_gflops(2048, 2048, 2048, dtype)
        used = float(np.mean([gemm_gflops(*s, dtype) for s in shapes]))
        rows.append([np.dtype(dtype).name, f"{peak:.0f}", f"{used:.0f}"])
    report.table(
        "Matrix-multiply throughput (GFLOP/s)",
        ["dtype", "peak (2048^3)", f"pretraining shapes (batch {batch})"],
        rows,
    )
    return peaks


def pretraining_runs(X, n_hidden, epochs):
    """name -> (factory, batch size) for one layer of pretraining."""
    ours = auto_batch_size(X.shape[0], "dbn")
    return {
        "DBNTransformer": (
            lambda: DBNTransformer(
                (n_hidden,), pretrain_iter=epochs, pretrain_tol=0, random_state=0
            ),
            ours,
        ),
        "BernoulliRBM": (
            lambda: BernoulliRBM(n_hidden, n_iter=epochs, random_state=0),
            10,
        ),
        "StackedAutoencoderTransformer": (
            lambda: StackedAutoencoderTransformer(
                (n_hidden,),
                pretrain_iter=epochs,
                pretrain_tol=0,
                max_iter=0,
                random_state=0,
            ),
            auto_batch_size(X.shape[0], "sae"),
        ),
        f"BernoulliRBM, batch {ours}": (
            lambda: BernoulliRBM(
                n_hidden, n_iter=epochs, batch_size=ours, random_state=0
            ),
            ours,
        ),
    }


def pretraining_section(report, peaks, datasets, repeats):
    """GFLOP/s of one RBM layer; returns {(data, dtype, name): GFLOP/s}."""
    rows, results = [], {}
    for data_name, (X64, n_hidden, epochs) in datasets.items():
        flops = 5 * 2 * X64.shape[0] * X64.shape[1] * n_hidden * epochs
        for dtype in DTYPES:
            X = X64.astype(dtype)
            for name, (make, batch) in pretraining_runs(X, n_hidden, epochs).items():
                slow = name == "BernoulliRBM"  # batch 10: long enough to time once
                seconds = median_seconds(
                    lambda make=make, X=X: make().fit(X), 1 if slow else repeats
                )
                gflops = results[data_name, dtype, name] = flops / seconds / 1e9
                rows.append(
                    [data_name, np.dtype(dtype).name, name, batch, f"{seconds:.2f}"]
                    + [f"{gflops:.1f}", f"{gflops / peaks[dtype]:.0%}"]
                )
            ours = results[data_name, dtype, "DBNTransformer"]
            ratio = ours / results[data_name, dtype, "BernoulliRBM"]
            rows.append(["", "", f"**DBNTransformer / BernoulliRBM: {ratio:.1f}x**"])
            rows[-1] += [""] * 4
    report.table(
        "One layer of pretraining, equal epochs and hidden units",
        ["data", "dtype", "estimator", "batch", "time (s)", "GFLOP/s", "of peak"],
        rows,
    )
    return results


def quality_section(report, n_hidden, epochs):
    """Digits accuracy of LogisticRegression on each one's features."""
    X, y = digits()
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    models = {
        "DBNTransformer": DBNTransformer(
            (n_hidden,), pretrain_iter=epochs, pretrain_tol=0, random_state=0
        ),
        "BernoulliRBM": BernoulliRBM(n_hidden, n_iter=epochs, random_state=0),
        "raw pixels": None,
    }
    rows = []
    for name, features in models.items():
        logistic = LogisticRegression(max_iter=2000)
        model = logistic if features is None else make_pipeline(features, logistic)
        start = time.perf_counter()
        scores = cross_val_score(model, X, y, cv=cv)
        seconds = time.perf_counter() - start
        rows.append(
            [name, f"{scores.mean():.4f} ± {scores.std():.4f}", f"{seconds:.1f}"]
        )
    report.table(
        f"Feature quality: digits, 5-fold CV, {n_hidden} hidden units, {epochs} "
        "epochs each, default settings, + LogisticRegression",
        ["features", "accuracy", "time (s)"],
        rows,
    )


def fine_tuning_section(report, n_samples, n_hidden, batch, epochs, repeats):
    """Seconds per fine-tuning epoch, DBNClassifier against MLPClassifier."""
    X64 = binary_rows(n_samples)
    y = np.argmax(X64 @ np.random.default_rng(1).standard_normal((784, 10)), axis=1)
    no_stop = dict(max_iter=epochs, n_iter_no_change=epochs + 1, random_state=0)
    models = {
        "DBNClassifier": lambda: DBNClassifier(  # the MLP's work: no dropout
            (n_hidden,),
            pretrain_iter=0,
            batch_size=batch,
            dropout=0.0,
            input_dropout=0.0,  # "auto" drops 20% of wide inputs
            adversarial_epsilon=0.0,  # "auto" doubles each step on images
            **no_stop,
        ),
        "MLPClassifier": lambda: MLPClassifier(
            (n_hidden,), activation="logistic", batch_size=batch, **no_stop
        ),
    }
    rows, per_epoch = [], {}
    for dtype in DTYPES:
        X = X64.astype(dtype)
        for name, make in models.items():
            seconds = median_seconds(lambda make=make, X=X: make().fit(X, y), repeats)
            per_epoch[dtype, name] = seconds / epochs
        ratio = per_epoch[dtype, "MLPClassifier"] / per_epoch[dtype, "DBNClassifier"]
        rows.append(
            [np.dtype(dtype).name]
            + [f"{per_epoch[dtype, name]:.3f}" for name in models]
            + [f"{ratio:.2f}x"]
        )
    report.table(
        f"Fine-tuning, seconds per epoch: {n_samples} x 784, ({n_hidden},) "
        f"logistic units, 10 classes, Adam, batch {batch}",
        ["dtype", "DBNClassifier", "MLPClassifier", "MLP time / DBN time"],
        rows,
    )
    return per_epoch


def fit_seconds(X, n_hidden, repeats, epochs=2):
    model = DBNTransformer(
        (n_hidden,), pretrain_iter=epochs, pretrain_tol=0, random_state=0
    )
    return median_seconds(lambda: model.fit(X), repeats)


def scaling_section(report, n_base, widths, repeats):
    """DBNTransformer fit time (float32) against n_samples and against width."""
    X_all = binary_rows(4 * n_base).astype(np.float32)
    sizes = [n_base, 2 * n_base, 4 * n_base]
    by_rows = [fit_seconds(X_all[:n], 512, repeats) for n in sizes]
    by_width = [fit_seconds(X_all[:n_base], w, repeats) for w in widths]
    rows = [
        [f"n_samples = {n}", "512", f"{s:.2f}", f"{s / by_rows[0]:.2f}"]
        for n, s in zip(sizes, by_rows, strict=True)
    ]
    rows += [
        [f"n_samples = {n_base}", str(w), f"{s:.2f}", f"{s / by_width[0]:.2f}"]
        for w, s in zip(widths, by_width, strict=True)
    ]
    report.table(
        "Scaling: DBNTransformer fit, float32, 784 features, 2 epochs",
        ["data", "hidden units", "time (s)", "relative to the first"],
        rows,
    )
    return sizes, by_rows, by_width


def traced_peak(fn):
    """(result, peak bytes allocated while fn runs), by tracemalloc."""
    tracemalloc.start()
    try:
        result = fn()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def memory_section(report, n_samples, n_hidden):
    """Peak memory of fit (relative to X) and of transform (to its output)."""
    X = binary_rows(n_samples).astype(np.float32)
    models = {
        "DBNTransformer": DBNTransformer((n_hidden,), pretrain_iter=1, random_state=0),
        "StackedAutoencoderTransformer": StackedAutoencoderTransformer(
            (n_hidden,), pretrain_iter=1, max_iter=1, random_state=0
        ),
    }
    rows = []
    for name, model in models.items():
        _, fit_peak = traced_peak(lambda model=model: model.fit(X))
        codes, peak = traced_peak(lambda model=model: model.transform(X))
        rows.append(
            [name, f"{X.nbytes / 2**20:.0f}", f"{fit_peak / 2**20:.0f}"]
            + [f"{fit_peak / X.nbytes:.2f}", f"{codes.nbytes / 2**20:.0f}"]
            + [f"{peak / 2**20:.0f}", f"{peak / codes.nbytes:.2f}"]
        )
    report.table(
        f"Peak memory (tracemalloc, MiB): {n_samples} x 784 float32, {n_hidden} "
        "hidden units",
        ["estimator", "X", "fit peak", "fit / X", "output", "transform peak"]
        + ["transform / output"],
        rows,
    )


def plot(path, peaks, pretraining, per_epoch, scaling):
    """Four panels: pretraining GFLOP/s, fine-tuning epochs, two scalings."""
    plt = pyplot()
    if plt is None:
        return
    fig, axes = plt.subplots(2, 2, figsize=(12, 8))
    plot_pretraining(axes[0, 0], peaks, pretraining)
    plot_fine_tuning(axes[0, 1], per_epoch)
    sizes, by_rows, by_width = scaling
    plot_scaling(axes[1, 0], sizes, by_rows, "n_samples", "Scaling in rows")
    plot_scaling(
        axes[1, 1], SCALING_WIDTHS, by_width, "hidden units", "Scaling in width"
    )
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    print(f"plot written to {path}")


def plot_pretraining(ax, peaks, pretraining):
    keys = [k for k in pretraining if k[0] == "MNIST-sized"]
    labels = [f"{k[2]}\n{np.dtype(k[1]).name}" for k in keys]
    ax.barh(labels, [pretraining[k] for k in keys])
    for dtype, style in zip(DTYPES, ("--", ":"), strict=True):
        ax.axvline(peaks[dtype], ls=style, c="k", label=f"GEMM peak {dtype.__name__}")
    ax.set(xlabel="GFLOP/s", title="Pretraining, MNIST-sized")
    ax.legend(fontsize=8)


def plot_fine_tuning(ax, per_epoch):
    names = ["DBNClassifier", "MLPClassifier"]
    for i, dtype in enumerate(DTYPES):
        values = [per_epoch[dtype, n] for n in names]
        ax.bar(np.arange(2) + 0.4 * i, values, 0.4, label=dtype.__name__)
    ax.set(xticks=np.arange(2) + 0.2, xticklabels=names, ylabel="s / epoch")
    ax.set_title("Fine-tuning epoch")
    ax.legend(loc="lower right")


def plot_scaling(ax, xs, seconds, xlabel, title):
    ax.plot(xs, seconds, "o-", label="measured")
    ax.plot(xs, [seconds[0] * x / xs[0] for x in xs], "k--", label="linear")
    ax.set(xlabel=xlabel, ylabel="fit time (s)", title=title)
    ax.legend()


SCALING_WIDTHS = (256, 512, 1024)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller smoke run")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    scale, repeats = (0.1, 1) if args.quick else (1, 3)
    n_large = int(20000 * scale)
    report = Report()
    report.add(f"Machine: {machine()}\n")
    peaks = gemm_section(report, (n_large, 784, 512))
    datasets = {
        "digits": (digits()[0], 256, 10),
        "MNIST-sized": (binary_rows(n_large), 512, 2),
    }
    pretraining = pretraining_section(report, peaks, datasets, repeats)
    quality_section(report, 256, 10 if args.quick else 20)
    per_epoch = fine_tuning_section(report, n_large, 512, 200, 3, repeats)
    scaling = scaling_section(report, int(15000 * scale), SCALING_WIDTHS, repeats)
    memory_section(report, int(60000 * scale), 512)
    RESULTS.mkdir(exist_ok=True)
    suffix = "-quick" if args.quick else ""
    (RESULTS / f"speed{suffix}.md").write_text("\n".join(report.lines))
    plot(RESULTS / f"speed{suffix}.png", peaks, pretraining, per_epoch, scaling)


if __name__ == "__main__":
    main()
