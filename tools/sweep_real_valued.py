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
Prints one line per data set and setting.
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
from _common import mean_and_error  # noqa: E402


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
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    datasets = bench_tabular.datasets(args.mnist, chosen(args.data))
    for name, (X, y, task) in datasets.items():
        for text in args.params:
            params = parse_params(text)
            start = time.perf_counter()
            found, _ = bench_tabular.scores(
                X, y, task, range(args.seeds), 5, only=args.model, params=params
            )
            print(
                f"{name:20s} {args.model} {text or 'defaults':50s} "
                f"{mean_and_error(found[args.model])}  "
                f"{time.perf_counter() - start:.0f} s",
                flush=True,
            )


if __name__ == "__main__":
    main()
