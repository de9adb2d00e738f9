"""Do two source trees of skdeep make the same predictions?

Fits the six estimators at their defaults (``random_state=0``) on sklearn's
digits and on the MNIST dev split, under each tree in a fresh process with
that tree first on ``sys.path``, and compares every output bit for bit:
``predict`` and ``predict_proba`` of the classifiers, ``predict`` of the
regressors (the digit as a number), ``transform`` of the transformers.

Run: ``python tools/compare_predictions.py --old /path/to/other/checkout
--data ../shared/data/mnist_dev.npz`` (about 10 minutes on 2 cores). Prints
one line per output and exits 1 when any differs.
"""

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parents[1]
ESTIMATORS = [
    "StackedAutoencoderTransformer",
    "DBNTransformer",
    "DBNClassifier",
    "StackedAutoencoderClassifier",
    "StackedAutoencoderRegressor",
    "DBNRegressor",
]


def datasets(mnist_path):
    """name -> (X_train, X_test, y_train, y_test) of each dataset."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    out = {"digits": train_test_split(X / 16.0, y, test_size=0.3, random_state=0)}
    if mnist_path:
        d = np.load(mnist_path)
        out["mnist_dev"] = train_test_split(
            d["X"] / 255.0,
            d["y"].astype(int),
            test_size=0.3,
            stratify=d["y"],
            random_state=0,
        )
    return out


def outputs(mnist_path, out_file):
    """Fit every estimator on every dataset; save what each returns."""
    import warnings

    import skdeep

    warnings.simplefilter("ignore")
    saved = {}
    for data_name, (X_train, X_test, y_train, _) in datasets(mnist_path).items():
        for name in ESTIMATORS:
            model = getattr(skdeep, name)(random_state=0)
            target = y_train.astype(float) if "Regressor" in name else y_train
            model.fit(X_train, None if "Transformer" in name else target)
            key = f"{data_name}/{name}"
            if "Transformer" in name:
                saved[f"{key}/transform"] = model.transform(X_test)
            else:
                saved[f"{key}/predict"] = model.predict(X_test)
            if "Classifier" in name:
                saved[f"{key}/predict_proba"] = model.predict_proba(X_test)
            print(key, file=sys.stderr, flush=True)
    np.savez(out_file, **saved)


def run_tree(tree, mnist_path, out_file):
    env = dict(os.environ, PYTHONPATH=str(tree))
    command = [sys.executable, __file__, "--child", out_file]
    if mnist_path:
        command += ["--data", mnist_path]
    subprocess.run(command, env=env, check=True, cwd=tempfile.gettempdir())
    return np.load(out_file)


def compare(old, new):
    """Print one line per output; return how many differ."""
    n_differ = 0
    for key in sorted(set(old) | set(new)):
        if key not in old or key not in new:
            print(f"{key}: only in {'new' if key in new else 'old'}")
            n_differ += 1
            continue
        same = old[key].shape == new[key].shape and np.array_equal(old[key], new[key])
        gap = "" if same else f" (max gap {np.max(np.abs(old[key] - new[key])):.3g})"
        print(f"{key}: {'identical' if same else 'DIFFERENT'}{gap}")
        n_differ += not same
    return n_differ


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--old", type=Path, help="the other source tree, or its saved outputs (.npz)"
    )
    parser.add_argument("--save", help="also keep this tree's outputs in this file")
    parser.add_argument("--data", help="local mnist_dev.npz (X, y)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    data = args.data and str(Path(args.data).resolve())
    if args.child:
        outputs(data, args.child)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        if args.old.suffix == ".npz":  # outputs saved by an earlier run
            old = np.load(args.old)
        else:
            old = run_tree(args.old.resolve(), data, f"{tmp}/old.npz")
        new = run_tree(HERE, data, args.save or f"{tmp}/new.npz")
        return 1 if compare(old, new) else 0


if __name__ == "__main__":
    sys.exit(main())
