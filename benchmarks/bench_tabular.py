"""Real-valued data: skdeep's classifiers and regressors at their defaults
against the MLP of the same layers, with a linear floor.

Every dataset is standardized inside each fold (``StandardScaler`` in a
pipeline); every model has one hidden layer of 100 units (the linear floor
none) and runs at its defaults. Scores: accuracy for classification, R^2
for regression, over ``N_FOLDS``-fold cross-validation (shuffled) for each
seed; the table gives the mean over seeds of the fold means and its
standard error over seeds, and marks where a skdeep model trails the MLP by
more than one standard error.

Data, nothing downloaded but MNIST:

- classification: wine, breast cancer and iris (bundled with sklearn);
  Seattle weather (``vega_datasets``, 1461 days: the kind of weather from
  precipitation, temperatures, wind and the season); MNIST, the development
  split's 5000 rows, standardized; ``make_classification`` (2000 rows, 20
  features of which 8 informative); smooth 1-D signals (4000 rows, 40
  features: shifted, scaled, noisy templates of 10 classes), and the same
  with twice the noise (2000 rows);
- regression: diabetes (bundled); Auto MPG (``vega_datasets``);
  ``make_friedman1`` (2000 rows, a non-linear target); spectra (300 rows,
  100 smooth, correlated features mixed from 4 latent components, 3
  targets); absorbance spectra (240 rows, 100 channels: three broad bands
  under a baseline that varies more than they do, like near-infrared
  spectra of meat; the three concentrations as targets).

Run: ``python benchmarks/bench_tabular.py --data ../shared/data/mnist_dev.npz``
(``--quick``: one seed, 3 folds). Writes ``benchmarks/results/tabular.md``.
"""

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import (
    load_breast_cancer,
    load_diabetes,
    load_iris,
    load_wine,
    make_classification,
    make_friedman1,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

sys.path.insert(0, str(Path(__file__).parent))
from _common import (  # noqa: E402
    RESULTS,
    Report,
    auto_mpg,
    load_mnist,
    machine,
    mean_and_error,
)

import skdeep  # noqa: E402

SHAPE = (100,)
REGRESSION = {
    "diabetes",
    "Auto MPG",
    "make_friedman1",
    "spectra",
    "absorbance spectra",
}


def signals(n_rows=4000, n_features=40, n_classes=10, seed=0):
    """Shifted, scaled, noisy copies of one smooth template per class."""
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 1, n_features)
    centres, widths = rng.uniform(0.2, 0.8, (n_classes, 2)), rng.uniform(0.05, 0.2, 2)
    templates = np.exp(-((t - centres[:, :1]) ** 2) / widths[0] ** 2) - np.exp(
        -((t - centres[:, 1:]) ** 2) / widths[1] ** 2
    )
    y = rng.integers(n_classes, size=n_rows)
    shifts = rng.integers(-3, 4, n_rows)
    X = np.array([np.roll(templates[c], s) for c, s in zip(y, shifts, strict=True)])
    X *= rng.uniform(0.5, 2.0, (n_rows, 1))
    return X + 0.3 * rng.standard_normal(X.shape), y


def spectra(n_rows=300, n_features=100, n_latent=4, n_targets=3, seed=0):
    """Smooth curves mixed from a few latent components, plus noise; the
    targets are noisy linear and quadratic functions of the components."""
    rng = np.random.default_rng(seed)
    wavelengths = np.linspace(0, 1, n_features)
    peaks = rng.uniform(0.1, 0.9, n_latent)
    shapes = np.exp(-((wavelengths - peaks[:, None]) ** 2) / 0.01)
    latent = rng.uniform(0, 1, (n_rows, n_latent))
    X = latent @ shapes + 0.02 * rng.standard_normal((n_rows, n_features))
    mixing = rng.standard_normal((n_latent, n_targets))
    y = latent @ mixing + 0.5 * (latent**2) @ mixing[::-1]
    return X, y + 0.05 * rng.standard_normal(y.shape)


def noisy_signals(n_rows=2000, noise=0.6, seed=0):
    """The 1-D signals with twice their noise (accuracy near 0.6)."""
    X, y = signals(n_rows=n_rows, seed=seed)
    rng = np.random.default_rng(seed + 100)
    return X + noise * rng.standard_normal(X.shape), y


def absorbance(n_rows=240, n_features=100, seed=0):
    """Near-infrared-like absorbance spectra: three broad overlapping bands
    (water, fat, protein) under a baseline whose offset, slope and
    multiplicative scatter vary far more between rows than the bands do;
    the targets are the three concentrations (in percent), linear in the
    bands."""
    rng = np.random.default_rng(seed)
    wavelengths = np.linspace(0, 1, n_features)
    bands = np.array(
        [
            np.exp(-(((wavelengths - centre) / width) ** 2))
            for centre, width in [(0.3, 0.15), (0.55, 0.2), (0.75, 0.12)]
        ]
    )
    fat, protein = rng.uniform(0.02, 0.5, n_rows), rng.uniform(0.12, 0.22, n_rows)
    water = 1 - fat - protein + 0.01 * rng.standard_normal(n_rows)
    shares = np.column_stack([water, fat, protein])
    X = 0.3 * shares @ bands
    X += rng.normal(3, 0.5, (n_rows, 1)) + rng.normal(0, 0.3, (n_rows, 1)) * wavelengths
    X *= rng.uniform(0.95, 1.05, (n_rows, 1))
    X += 0.002 * rng.standard_normal(X.shape)
    return X, 100 * shares + 0.5 * rng.standard_normal(shares.shape)


def seattle_weather():
    """The kind of weather of a Seattle day, or None without vega_datasets."""
    try:
        from vega_datasets import local_data
    except ImportError:
        return None
    days = local_data.seattle_weather()
    season = 2 * np.pi * days["date"].dt.day_of_year.to_numpy() / 365.25
    X = days[["precipitation", "temp_max", "temp_min", "wind"]].to_numpy(float)
    X = np.column_stack([X, np.sin(season), np.cos(season)])
    return X, days["weather"].to_numpy()


def datasets(mnist_path, wanted=None, data_seed=0):
    """name -> (X, y, task), classification first; ``wanted(name)`` says
    which to load (None: all). ``data_seed`` draws the generated sets
    (``make_*``, signals, spectra): another seed gives validation data the
    benchmark's figures never saw."""
    seed = data_seed
    loaders = {
        "wine": lambda: load_wine(return_X_y=True),
        "breast cancer": lambda: load_breast_cancer(return_X_y=True),
        "iris": lambda: load_iris(return_X_y=True),
        "Seattle weather": seattle_weather,
        "MNIST dev": lambda: load_mnist(mnist_path),
        "make_classification": lambda: make_classification(
            2000, 20, n_informative=8, n_classes=4, random_state=seed
        ),
        "1-D signals": lambda: signals(seed=seed),
        "noisy 1-D signals": lambda: noisy_signals(seed=seed),
        "diabetes": lambda: load_diabetes(return_X_y=True),
        "Auto MPG": auto_mpg,
        "make_friedman1": lambda: make_friedman1(2000, random_state=seed),
        "spectra": lambda: spectra(seed=seed),
        "absorbance spectra": lambda: absorbance(seed=seed),
    }
    found = {}
    for name, load in loaders.items():
        data = load() if wanted is None or wanted(name) else None
        if data is not None and data[0] is not None:
            task = "regression" if name in REGRESSION else "classification"
            found[name] = (*data, task)
    return found


def models(task, seed, shape=SHAPE):
    """name -> estimator (each goes after a StandardScaler)."""
    if task == "classification":
        return {
            "DBN": skdeep.DBNClassifier(shape, random_state=seed),
            "SAE": skdeep.StackedAutoencoderClassifier(shape, random_state=seed),
            "MLP": MLPClassifier(shape, random_state=seed),
            "linear": LogisticRegression(max_iter=1000),
        }
    return {
        "DBN": skdeep.DBNRegressor(shape, random_state=seed),
        "SAE": skdeep.StackedAutoencoderRegressor(shape, random_state=seed),
        "MLP": TransformedTargetRegressor(
            MLPRegressor(hidden_layer_sizes=shape, random_state=seed),
            transformer=StandardScaler(),
        ),
        "linear": Ridge(),
    }


def scores(X, y, task, seeds, n_folds, only=None, params=None, shape=SHAPE):
    """model name -> per-seed mean CV score, and the total fit seconds
    (``only``: that model alone, with ``params`` set)."""
    found, seconds = {}, {}
    for seed in seeds:
        split = StratifiedKFold if task == "classification" else KFold
        cv = split(n_folds, shuffle=True, random_state=seed)
        for name, model in models(task, seed, shape).items():
            if only is not None:
                if name != only:
                    continue
                model = _with_params(model, params or {})
            start = time.perf_counter()
            score = cross_val_score(make_pipeline(StandardScaler(), model), X, y, cv=cv)
            seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - start
            found.setdefault(name, []).append(score.mean())
    return found, seconds


def _with_params(model, params):
    """The model with ``params`` set (on the MLP inside a target scaler)."""
    inner = getattr(model, "regressor", None)
    (model if inner is None else inner).set_params(**params)
    return model


def row(name, X, task, found, seconds):
    """A table row: each model's mean +- SE, and whether each skdeep model
    trails the MLP by more than one standard error over seeds."""
    mlp = np.asarray(found["MLP"])
    error = mlp.std(ddof=1) / np.sqrt(len(mlp)) if len(mlp) > 1 else 0.0
    behind = [
        name
        for name in ("DBN", "SAE")
        if np.mean(found[name]) < mlp.mean() - max(error, 1e-12)
    ]
    cells = [mean_and_error(found[name]) for name in ("DBN", "SAE", "MLP", "linear")]
    total = sum(seconds.values())
    return [
        name,
        task,
        f"{X.shape[0]} x {X.shape[1]}",
        *cells,
        ", ".join(behind),
        f"{total:.0f}",
    ]


HEADER = [
    "data",
    "task",
    "rows x features",
    "DBN",
    "SAE",
    "MLP",
    "linear",
    "behind the MLP by > 1 SE",
    "seconds",
]


def command_line(description):
    """(args, seeds, n_folds) of a cross-validated benchmark's command line:
    ``--data`` (a local MNIST .npz) and ``--quick`` (one seed, 3 folds)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--data", help="local .npz with keys X (uint8) and y")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    seeds, n_folds = ((0,), 3) if args.quick else ((0, 1, 2), 5)
    return args, seeds, n_folds


def main():
    args, seeds, n_folds = command_line(__doc__.splitlines()[0])
    report = Report()
    report.add(
        f"# Real-valued data\n\n{machine()}; one hidden layer of {SHAPE[0]} "
        f"units, defaults, {n_folds}-fold CV for each of seeds {list(seeds)}, "
        "standardized inputs.\n"
    )
    rows = []
    for name, (X, y, task) in datasets(args.data).items():
        found, seconds = scores(X, y, task, seeds, n_folds)
        rows.append(row(name, X, task, found, seconds))
        print(rows[-1], flush=True)
    report.table(
        "Accuracy (classification) or R^2 (regression): mean +- standard error "
        "over seeds",
        HEADER,
        rows,
    )
    other_layers(report, seeds, n_folds)
    (RESULTS / "tabular.md").write_text("\n".join(report.lines))


# The signal-like data sets again, at the estimators' default layer (256,)
# and at two such layers.
OTHER_LAYERS = {
    "1-D signals": [(256,), (256, 256)],
    "noisy 1-D signals": [(256,)],
    "spectra": [(256,), (256, 256)],
    "absorbance spectra": [(256,)],
}


def other_layers(report, seeds, n_folds):
    """The signal-like rows at other layers: every model of the same layers."""
    rows = []
    found_data = datasets(None, lambda name: name in OTHER_LAYERS)
    for name, (X, y, task) in found_data.items():
        for shape in OTHER_LAYERS[name]:
            found, seconds = scores(X, y, task, seeds, n_folds, shape=shape)
            rows.append(row(f"{name}, {shape}", X, task, found, seconds))
            print(rows[-1], flush=True)
    report.table(
        "Signal-like data at other layers: mean +- standard error over seeds",
        HEADER,
        rows,
    )


if __name__ == "__main__":
    main()
