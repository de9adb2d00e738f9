"""This checkout's speed against another checkout of skdeep, interleaved.

A README speed figure is a ratio against a peer (BernoulliRBM, MLPClassifier)
measured in one run, and this shared machine's speed drifts by a third over
minutes: a figure from an earlier run says little about whether the code got
slower. This benchmark times the same fits under two source trees, this one
and ``--old`` (a checkout of an earlier commit, say
``git worktree add /tmp/old REV``), each fit in a fresh process with
that tree first on ``sys.path``, the two versions one after the other within
each round. The figure is the median over the rounds of the same-round ratio
old time / new time (above 1: this checkout is faster).

Fits, float32 and float64, each at that version's defaults otherwise:

- pretraining: ``DBNTransformer((512,))``, 2 epochs on 20000 x 784 binary
  rows (``bench_speed.py``'s MNIST-sized data), every epoch run;
- fine-tuning: ``DBNClassifier((512,))`` without pretraining or dropout
  (of the hidden units or of the inputs),
  3 epochs of Adam in minibatches of 200 on the same rows (the
  ``bench_speed.py`` fine-tuning row);
- digits pretraining: ``DBNTransformer((256,))``, 10 epochs on the 1797
  digits, where per-minibatch overhead dominates.

Run: ``python tools/compare_speed.py --old /tmp/old`` (about 3
minutes on 2 cores with 5 rounds). Writes ``tools/results/versions.md``.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import sklearn

# the benchmarks' shared helpers
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from _common import Report  # noqa: E402

RESULTS = Path(__file__).parent / "results"  # tools/results
HERE = Path(__file__).resolve().parents[1]


def make(cls, *args, **params):
    """cls(*args, **params), less the parameters this version lacks
    (pretrain_tol came with the plateau rule)."""
    known = cls().get_params()
    kept = {k: v for k, v in params.items() if k in known}
    return cls(*args, random_state=0, **kept)


def child(job, dtype):
    """Time one fit under whichever skdeep is first on sys.path; print it."""
    from sklearn.datasets import load_digits

    import skdeep
    from skdeep import DBNClassifier, DBNTransformer

    warnings.filterwarnings("ignore")
    rng = np.random.default_rng(0)
    y = None
    if job == "digits pretraining":
        X = (load_digits().data / 16.0).astype(dtype)
        model = make(DBNTransformer, (256,), pretrain_iter=10, pretrain_tol=0)
    else:
        X = (rng.random((20000, 784)) < 0.13).astype(dtype)
        if job == "pretraining":
            model = make(DBNTransformer, (512,), pretrain_iter=2, pretrain_tol=0)
        else:
            y = np.argmax(X @ rng.standard_normal((784, 10)).astype(dtype), axis=1)
            model = make(
                DBNClassifier,
                (512,),
                pretrain_iter=0,
                batch_size=200,
                dropout=0.0,
                input_dropout=0.0,
                max_iter=3,
                n_iter_no_change=4,
            )
    start = time.perf_counter()
    model.fit(X) if y is None else model.fit(X, y)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "file": skdeep.__file__}))


JOBS = ("pretraining", "fine-tuning", "digits pretraining")
DTYPES = ("float32", "float64")


def timed_fit(tree, job, dtype):
    """Seconds of one fit under the source tree ``tree``."""
    env = dict(os.environ, PYTHONPATH=str(tree))
    out = subprocess.run(
        [sys.executable, __file__, "--child", job, dtype],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    if not result["file"].startswith(str(tree)):
        raise RuntimeError(f"imported {result['file']}, not skdeep from {tree}")
    return result["seconds"]


def compare(old, rounds):
    """(job, dtype) -> (old seconds, new seconds, ratios), rounds interleaved."""
    results = {}
    for job in JOBS:
        for dtype in DTYPES:
            times = {"old": [], "new": []}
            for _ in range(rounds):
                times["old"].append(timed_fit(old, job, dtype))
                times["new"].append(timed_fit(HERE, job, dtype))
            ratios = np.divide(times["old"], times["new"])
            results[job, dtype] = (times["old"], times["new"], ratios)
            print(job, dtype, np.round(ratios, 2), flush=True)
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", help="checkout to compare with (required)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(*args.child)
    if args.old is None:
        parser.error("--old PATH is required: a checkout of the earlier commit")
    old = Path(args.old).resolve()
    results = compare(old, args.rounds)
    rows = [
        [
            job,
            dtype,
            f"{np.median(t_old):.3f}",
            f"{np.median(t_new):.3f}",
            f"**{np.median(ratios):.2f}x** ({', '.join(f'{r:.2f}' for r in ratios)})",
        ]
        for (job, dtype), (t_old, t_new, ratios) in results.items()
    ]
    commit = subprocess.run(
        ["git", "-C", str(old), "log", "-1", "--format=%h %s"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    report = Report()
    report.add(
        f"# This checkout against {commit[:60]}\n\n{platform.machine()}, Python "
        f"{platform.python_version()}, numpy {np.__version__}, scikit-learn "
        f"{sklearn.__version__}\n"
    )
    report.table(
        f"Fit seconds (medians of {args.rounds} rounds) and old / new time "
        "(median of the same-round ratios; per round)",
        ["fit", "dtype", "old (s)", "new (s)", "old / new"],
        rows,
    )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "versions.md").write_text("\n".join(report.lines))


if __name__ == "__main__":
    main()
