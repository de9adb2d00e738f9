"""Small-data accuracy over seeds: the defaults against the settings before
pretraining that stops at a plateau, in one run.

On sklearn's digits (pixels / 16), wine and breast cancer (behind a
``StandardScaler``), each row is a 5-fold stratified CV accuracy (the
splits of ``bench_dbn_accuracy.py`` and ``bench_mnist.py``: shuffled with
seed 0), for model seeds ``random_state`` = 0 to 4:

- ``DBNClassifier((256,))``, ``DBNClassifier((256, 256))``, the up-down
  ``DBNClassifier((256, 256), fine_tuning="up-down", max_iter=30)`` and
  ``StackedAutoencoderTransformer()`` + LogisticRegression on digits;
- ``DBNClassifier()`` with 10% of each training fold's labels (the rest
  unlabeled, ``unlabeled_label=-1``; the labeled rows of
  ``bench_dbn_accuracy.py``);
- ``DBNClassifier((500, 500))`` on wine and breast cancer.

"before" is what the defaults were before pretraining learned to stop at
a plateau, on this code: every RBM 50 epochs (``pretrain_iter=50,
pretrain_tol=0``) in minibatches of 64 rows (n // 50 within [64, 512]: 64
on all three data sets), no weight averaging (``weight_averaging=0``), and
every autoencoder layer its 20 epochs (``pretrain_tol=0``). Single-seed
figures move by one or two rows of a fold; the mean over five seeds says
whether a change of defaults cost accuracy.

Run: ``python tools/sweep_seeds.py`` (about 20 minutes on 2 cores;
``--quick``: seed 0 only). Writes ``tools/results/seeds.md``.

``--seeds 5-19`` takes other model seeds (a range, both ends included) and
``--only TEXT`` (repeatable) the rows whose name contains one of the texts;
the output file then says which, e.g. ``seeds_5-19.md``. ``--set
NAME=VALUE`` (repeatable) changes a parameter of every ``DBNClassifier`` in
the defaults column, e.g. ``--defaults-only tol0 --set pretrain_tol=0``.

``--defaults-only NAME`` runs the defaults column alone and writes
``tools/results/seeds_NAME.md``: with an earlier checkout first on the
path, it measures that code's defaults, e.g. another checkout
(``git worktree add /tmp/old REV``, then ``PYTHONPATH=/tmp/old python
tools/sweep_seeds.py --defaults-only old``).
"""

import argparse
import ast
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.datasets import load_breast_cancer, load_digits, load_wine
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdeep import DBNClassifier, StackedAutoencoderTransformer

# the benchmarks' shared helpers
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from _common import Report, machine  # noqa: E402

RESULTS = Path(__file__).parent / "results"  # tools/results
SEEDS = (0, 1, 2, 3, 4)
CV = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
BEFORE = {
    "dbn": dict(
        pretrain_iter=50, pretrain_tol=0.0, batch_size=64, weight_averaging=0.0
    ),
    "sae": dict(pretrain_tol=0.0),
}
SETTINGS = {}  # --set: DBNClassifier parameters of the defaults column


def digits():
    X, y = load_digits(return_X_y=True)
    return X / 16.0, y


def bundled(loader):
    return lambda: loader(return_X_y=True)


def semi_supervised(make, X, y, fraction=0.1):
    """Mean test accuracy over the folds, fitted with ``fraction`` of each
    training fold's labels (the others -1)."""
    scores = []
    for fold, (train, test) in enumerate(CV.split(X, y)):
        rng = np.random.default_rng(fold)
        labeled = np.zeros(len(train), dtype=bool)
        labeled[rng.choice(len(train), int(fraction * len(train)), replace=False)] = 1
        model = make().fit(X[train], np.where(labeled, y[train], -1))
        scores.append(model.score(X[test], y[test]))
    return float(np.mean(scores))


def dbn(*args, scaled=False, **kwargs):
    """make(seed, before) -> a DBNClassifier (behind a StandardScaler when
    ``scaled``)."""

    def make(seed, before):
        extra = BEFORE["dbn"] if before else SETTINGS
        model = DBNClassifier(*args, random_state=seed, **{**kwargs, **extra})
        return make_pipeline(StandardScaler(), model) if scaled else model

    return make


def sae(seed, before):
    extra = BEFORE["sae"] if before else {}
    return make_pipeline(
        StackedAutoencoderTransformer(random_state=seed, **extra),
        LogisticRegression(max_iter=2000),
    )


def rows():
    """name -> (data loader, make(seed, before) -> model, semi-supervised)."""
    return {
        "digits: DBNClassifier((256,))": (digits, dbn(), False),
        "digits: DBNClassifier((256, 256))": (digits, dbn((256, 256)), False),
        "digits: up-down DBNClassifier((256, 256)), 30 epochs": (
            digits,
            dbn((256, 256), fine_tuning="up-down", max_iter=30),
            False,
        ),
        "digits: StackedAutoencoderTransformer() + LogisticRegression": (
            digits,
            sae,
            False,
        ),
        "digits, 10% labels: DBNClassifier((256,))": (
            digits,
            dbn(unlabeled_label=-1),
            True,
        ),
        "wine: DBNClassifier((500, 500))": (
            bundled(load_wine),
            dbn((500, 500), scaled=True),
            False,
        ),
        "breast cancer: DBNClassifier((500, 500))": (
            bundled(load_breast_cancer),
            dbn((500, 500), scaled=True),
            False,
        ),
    }


def accuracy(load, make, semi, seed, before):
    X, y = load()
    if semi:
        return semi_supervised(lambda: make(seed, before), X, y)
    return float(cross_val_score(make(seed, before), X, y, cv=CV).mean())


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="seed 0 only")
    parser.add_argument("--defaults-only", metavar="NAME", help="see the docstring")
    parser.add_argument("--seeds", metavar="A-B", help="model seeds A to B")
    parser.add_argument(
        "--only", action="append", metavar="TEXT", default=[], help="rows naming TEXT"
    )
    parser.add_argument(
        "--set",
        action="append",
        metavar="NAME=VALUE",
        default=[],
        help="see the docstring",
    )
    return parser.parse_args()


def main():
    args = parse_args()
    SETTINGS.update(parse_setting(text) for text in args.set)
    warnings.filterwarnings("ignore", category=UserWarning)
    seeds = seed_range(args.seeds) if args.seeds else SEEDS
    seeds = seeds[:1] if args.quick else seeds
    columns = (False,) if args.defaults_only else (True, False)
    table = [
        [name] + [column(name, load, make, semi, seeds, before) for before in columns]
        for name, (load, make, semi) in rows().items()
        if not args.only or any(text in name for text in args.only)
    ]
    report = Report()
    report.add(
        f"# Small-data accuracy over seeds\n\n{machine()}; 5-fold stratified "
        f"CV, model seeds {', '.join(map(str, seeds))}: mean (per seed; "
        "seconds per CV).\n"
    )
    if args.defaults_only:
        title, header = f"Defaults of {args.defaults_only}", ["model", "defaults"]
    else:
        title = "Defaults against the full-length settings"
        header = ["model", "full-length settings", "defaults"]
    report.table(title, header, table)
    RESULTS.mkdir(exist_ok=True)
    suffix = "_quick" if args.quick else ""
    if args.seeds:
        suffix = f"_{args.seeds}{suffix}"
    if args.defaults_only:
        suffix = f"_{args.defaults_only}{suffix}"
    (RESULTS / f"seeds{suffix}.md").write_text("\n".join(report.lines))


def parse_setting(text):
    """NAME=VALUE as (NAME, VALUE read as a Python literal)."""
    name, value = text.split("=", 1)
    return name, ast.literal_eval(value)


def seed_range(text):
    """The seeds of "A-B": A, A + 1, ..., B."""
    first, last = (int(part) for part in text.split("-"))
    return tuple(range(first, last + 1))


def column(name, load, make, semi, seeds, before):
    """One cell: the mean over ``seeds``, each seed's figure, the time."""
    start = time.perf_counter()
    scores = [accuracy(load, make, semi, s, before) for s in seeds]
    seconds = (time.perf_counter() - start) / len(seeds)
    cell = (
        f"{np.mean(scores):.4f} ({', '.join(f'{a:.4f}' for a in scores)}; "
        f"{seconds:.0f} s)"
    )
    print(name, "before" if before else "defaults", cell, flush=True)
    return cell


if __name__ == "__main__":
    main()
