"""Bernoulli against rectified hidden units in the DBN's RBMs, on the
real-valued data of ``bench_tabular.py`` and on scikit-learn's digits.

For each data set, ``DBNClassifier`` or ``DBNRegressor`` with
``hidden_units="bernoulli"`` and with ``"relu"`` (every other parameter at
its default, one hidden layer of 100 units), beside ``MLPClassifier`` or
``MLPRegressor`` of the same layer: the same folds and seeds as
``bench_tabular.py`` (standardized inputs; digits as pixels in [0, 1]).
The table gives mean +- standard error over seeds of the 5-fold means, and
which units ``hidden_units="auto"`` picks there.

Run: ``python benchmarks/bench_hidden_units.py`` (``--quick``: one seed, 3
folds; ``--data`` adds the MNIST development split). Writes
``benchmarks/results/hidden_units.md``.
"""

import sys
import warnings
from pathlib import Path

import numpy as np
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

sys.path.insert(0, str(Path(__file__).parent))
from _common import RESULTS, Report, machine, mean_and_error  # noqa: E402
from bench_tabular import command_line, datasets, models  # noqa: E402

SHAPE = (100,)
UNITS = ("bernoulli", "relu")


def cv_score(model, X, y, task, seed, n_folds, scaled):
    split = StratifiedKFold if task == "classification" else KFold
    cv = split(n_folds, shuffle=True, random_state=seed)
    pipe = make_pipeline(StandardScaler(), model) if scaled else model
    return cross_val_score(pipe, X, y, cv=cv).mean()


def row(name, X, y, task, seeds, n_folds, scaled=True):
    """DBN with each kind of hidden unit, the MLP, and what "auto" picks."""
    found = {units: [] for units in UNITS}
    found["MLP"] = []
    for seed in seeds:
        candidates = models(task, seed, SHAPE)
        for units in UNITS:
            dbn = clone(candidates["DBN"]).set_params(hidden_units=units)
            found[units].append(cv_score(dbn, X, y, task, seed, n_folds, scaled))
        found["MLP"].append(
            cv_score(candidates["MLP"], X, y, task, seed, n_folds, scaled)
        )
    inputs = StandardScaler().fit_transform(X) if scaled else X
    auto = models(task, 0, SHAPE)["DBN"].set_params(pretrain_iter=1, max_iter=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        picked = auto.fit(inputs, y).hidden_units_
    cells = [mean_and_error(found[key]) for key in (*UNITS, "MLP")]
    gap = np.mean(found["relu"]) - np.mean(found["bernoulli"])
    return [name, task, f"{X.shape[0]} x {X.shape[1]}", *cells, f"{gap:+.4f}", picked]


HEADER = [
    "data",
    "task",
    "rows x features",
    "bernoulli",
    "relu",
    "MLP",
    "relu - bernoulli",
    "auto picks",
]


def all_rows(mnist_path, seeds, n_folds):
    """A row for digits (pixels in [0, 1]), then for every data set of
    ``bench_tabular.py`` (the MNIST dev split only with ``mnist_path``)."""
    X, y = load_digits(return_X_y=True)
    name = "digits (pixels in [0, 1])"
    rows = [row(name, X / 16, y, "classification", seeds, n_folds, scaled=False)]
    print(rows[-1], flush=True)
    wanted = mnist_path is not None
    found = datasets(mnist_path, lambda name: wanted or name != "MNIST dev")
    for name, (X, y, task) in found.items():
        rows.append(row(name, X, y, task, seeds, n_folds))
        print(rows[-1], flush=True)
    return rows


def main():
    args, seeds, n_folds = command_line(__doc__.splitlines()[0])
    report = Report()
    report.add(
        f"# Hidden units of the DBN\n\n{machine()}; one hidden layer of "
        f"{SHAPE[0]} units, every other parameter at its default, {n_folds}-fold "
        f"CV for each of seeds {list(seeds)}.\n"
    )
    report.table(
        "Accuracy (classification) or R^2 (regression), standardized inputs: "
        "mean +- standard error over seeds",
        HEADER,
        all_rows(args.data, seeds, n_folds),
    )
    (RESULTS / "hidden_units.md").write_text("\n".join(report.lines))


if __name__ == "__main__":
    main()
