"""What the benchmark scripts share: results tables, the machine's
description, the MNIST protocol, synthetic rows and timed fits.

Benchmarks use skdeep's public API only; where a script needs a rule of the
estimators (the automatic minibatch size), it restates the documented rule.
"""

import argparse
import os
import platform
import time
import warnings
from pathlib import Path

import numpy as np
import sklearn
from sklearn.datasets import fetch_openml
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_info

RESULTS = Path(__file__).parent / "results"
SEED = 0


class Report:
    """Markdown tables printed as they come and kept for the results file."""

    def __init__(self):
        self.lines = []
        self.figures = {}

    def table(self, title, header, rows):
        lines = [f"### {title}", "", "| " + " | ".join(header) + " |"]
        lines.append("|" + "---|" * len(header))
        lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
        self.add("\n".join(lines) + "\n")

    def add(self, text):
        print(text, flush=True)
        self.lines.append(text)


def machine():
    """The CPU, cores, and library versions, for a results file's header."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            names = [ln.split(":", 1)[1].strip() for ln in f if "model name" in ln]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    blas = [
        f"{i.get('internal_api')} {i.get('version')} ({i.get('num_threads')} threads)"
        for i in threadpool_info()
        if i.get("user_api") == "blas"
    ]
    return (
        f"{cpu}, {os.cpu_count()} cores; Python {platform.python_version()}, "
        f"numpy {np.__version__}, scikit-learn {sklearn.__version__}, "
        f"BLAS {', '.join(sorted(set(blas)))}"
    )


def pyplot():
    """matplotlib's pyplot on the Agg backend, or None (with a message)
    where matplotlib is not installed."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no plot")
        return None
    return plt


def mean_and_error(values, signed=False):
    """ "0.9587 +- 0.0012": the mean and its standard error over seeds
    (``signed``: "+0.0070 +- 0.0012", a paired difference's)."""
    values = np.asarray(values, dtype=float)
    error = values.std(ddof=1) / np.sqrt(len(values)) if len(values) > 1 else 0.0
    mean = f"{values.mean():+.4f}" if signed else f"{values.mean():.4f}"
    return f"{mean} +- {error:.4f}"


def auto_mpg():
    """Auto MPG (miles per gallon from 7 car attributes), or None."""
    try:
        from vega_datasets import local_data
    except ImportError:
        return None
    cars = local_data.cars().dropna()
    X = cars[["Cylinders", "Displacement", "Horsepower", "Weight_in_lbs"]]
    X = X.assign(
        Acceleration=cars["Acceleration"],
        Year=cars["Year"].dt.year,
        USA=(cars["Origin"] == "USA").astype(float),
        Europe=(cars["Origin"] == "Europe").astype(float),
    )
    return X.to_numpy(float), cars["Miles_per_Gallon"].to_numpy(float)


def load_mnist(path):
    """Pixels in [0, 1] and integer labels: the local file, or OpenML."""
    if path is not None:
        data = np.load(path)
        return data["X"] / 255.0, data["y"].astype(int)
    X, y = fetch_openml("mnist_784", version=1, return_X_y=True, as_frame=False)
    X, _, y, _ = train_test_split(
        X, y.astype(int), train_size=5000, stratify=y, random_state=SEED
    )
    return X / 255.0, y


def setup(doc, full=False):
    """The command line (``--data``, ``--quick``, with ``full`` also
    ``--full``, a local .npz of the 60000 training digits) of a script
    documented by ``doc``, and the MNIST development split: (args, split)."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--data", help="local .npz with keys X (uint8) and y")
    parser.add_argument("--quick", action="store_true")
    if full:
        parser.add_argument("--full", help="local .npz of the 60000 training digits")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    X, y = load_mnist(args.data)
    return args, train_test_split(X, y, test_size=0.3, stratify=y, random_state=SEED)


def binary_rows(n_samples, n_features=784, density=0.13, seed=0):
    """Synthetic binary rows with MNIST's shape and ink density."""
    rng = np.random.default_rng(seed)
    return (rng.random((n_samples, n_features)) < density).astype(np.float64)


def auto_batch_size(n_samples, family):
    """``batch_size="auto"`` as the docstrings state it: n_samples // 20
    within [64, 512] for the DBNs, n_samples // 50 within [128, 256] for the
    autoencoders (never more than n_samples)."""
    per_epoch, smallest, largest = (20, 64, 512) if family == "dbn" else (50, 128, 256)
    return min(n_samples, min(max(n_samples // per_epoch, smallest), largest))


def timed_fit(make, X, y=None):
    """(fitted model, fit seconds)."""
    model = make()
    start = time.perf_counter()
    model.fit(X) if y is None else model.fit(X, y)
    return model, time.perf_counter() - start


def probe(transformer, data):
    """Test accuracy of LogisticRegression on a fitted transformer's
    features of every training row."""
    X_train, X_test, y_train, y_test = data
    clf = LogisticRegression(max_iter=1000)
    clf.fit(transformer.transform(X_train), y_train)
    return clf.score(transformer.transform(X_test), y_test)
