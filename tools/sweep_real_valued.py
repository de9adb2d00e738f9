"""Settings against each other on the real-valued data of
``benchmarks/bench_tabular.py``: the sweeps behind the "auto" defaults for
real-valued inputs.

Each setting is an estimator (DBN or SAE: the classifier or the regressor,
as the data set asks) with some parameters set, one hidden layer of 100
units behind a ``StandardScaler``, scored by ``bench_tabular.py``'s protocol
(5-fold CV for each seed, mean +- standard error over seeds). ``MLP`` is
sklearn's peer of the same layer (``bench_tabular.models``).

Run: ``python tools/sweep_real_valued.py DATA MODEL [PARAMS ...]``, e.g.
``python tools/sweep_real_valued.py Seattle,iris DBN "dropout=0" "dropout=0.5"``
(a data set is named by the start of its name in ``bench_tabular.py``, case
ignored; no PARAMS: the defaults). ``--seeds 3`` sets the number of seeds.
Prints one line per data set and setting. ``--validation`` scores on data
the benchmark never shows: seeds from 10 on, and the generated sets drawn
with another seed (the bundled tables keep their rows, under other folds).
``--out NAME`` also appends the lines to ``tools/results/NAME.md``.
"""

import argparse
import ast
import sys
import time
import warnings
from pathlib import Path

from sklearn.exceptions import ConvergenceWarning

sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))
import bench_tabular  # noqa: E402
from _common import machine, mean_and_error  # noqa: E402


def parse_params(text):
    """ "a=1,b='x'" -> {"a": 1, "b": "x"}."""
    if not text:
        return {}
    call = ast.parse(f"f({text})", mode="eval").body
    return {kw.arg: ast.literal_eval(kw.value) for kw in call.keywords}


def chosen(names):
    """Whether a data set's name starts with one of ``names`` (comma-separated)."""
    wanted = [name.lower() for name in names.split(",")]
    return lambda name: any(name.lower().startswith(w) for w in wanted)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data")
    parser.add_argument("model", choices=["DBN", "SAE", "MLP"])
    parser.add_argument("params", nargs="*", default=[""])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--mnist", help="local .npz for the MNIST dev row")
    parser.add_argument("--validation", action="store_true")
    parser.add_argument("--out", help="append to tools/results/OUT.md")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    first, data_seed = (VALIDATION_SEED, 1) if args.validation else (0, 0)
    seeds = range(first, first + args.seeds)
    datasets = bench_tabular.datasets(args.mnist, chosen(args.data), data_seed)
    out = None if args.out is None else results_file(args.out, seeds, data_seed)
    for name, (X, y, task) in datasets.items():
        for text in args.params:
            params = parse_params(text)
            start = time.perf_counter()
            found, _ = bench_tabular.scores(
                X, y, task, seeds, 5, only=args.model, params=params
            )
            score = mean_and_error(found[args.model])
            print(
                f"{name:20s} {args.model} {text or 'defaults':50s} {score}  "
                f"{time.perf_counter() - start:.0f} s",
                flush=True,
            )
            if out is not None:
                with out.open("a") as f:
                    f.write(f"| {name} | {args.model} | {text or 'defaults'} | ")
                    f.write(f"{score} |\n")


# The first seed of ``--validation`` runs.
VALIDATION_SEED = 10


def results_file(name, seeds, data_seed):
    """tools/results/NAME.md, its header written when it is new."""
    path = Path(__file__).parent / "results" / f"{name}.md"
    if not path.exists():
        path.write_text(
            "# Real-valued sweep\n\n"
            f"{machine()}; hidden layers {bench_tabular.SHAPE} behind a "
            "StandardScaler (SAE and DBN: the classifier or the regressor, as "
            f"the data set asks); seeds {list(seeds)}, 5-fold CV each, "
            f"generated sets drawn with seed {data_seed}; "
            "`tools/sweep_real_valued.py`.\n\n"
            "| data | model | setting | mean +- standard error |\n"
            "|---|---|---|---|\n"
        )
    return path


if __name__ == "__main__":
    main()
