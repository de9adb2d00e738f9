"""Why the automatic pretraining minibatch is not larger, over model seeds.

On the MNIST dev split (``--data``, the protocol of ``bench_mnist.py``:
3500 training rows, float32), ``DBNTransformer((256,))`` and
``DBNTransformer((500,))`` are fitted with ``batch_size="auto"`` (n // 20:
175 rows here) and with larger minibatches, for model seeds 0 to 4, in two
modes: at the defaults (the plateau rule picks the epochs) and for 10
epochs (``pretrain_iter=10, pretrain_tol=0``, BernoulliRBM's default).
Each row gives the LogisticRegression-probe accuracy (mean over seeds and
its standard error), the epochs run, the median fit time and the median
of the same-seed time ratios to the automatic minibatch (the fits of one
seed run one after the other, so that this shared machine's drift slows
them alike). For ``(256,)`` at 10 epochs, ``BernoulliRBM`` at its
defaults (256 components, 10 epochs) is fitted once per seed beside them:
the last column is the median of the same-round ratios of its time to the
DBN's: the speed of pretraining at equal epochs.

Run: ``python tools/sweep_batch.py --data ../shared/data/mnist_dev.npz``
(about 6 minutes on 2 cores; ``--quick``: seed 0 only, written to
``batch_quick.md``). Writes ``tools/results/batch.md``.
"""

import sys
from pathlib import Path

import numpy as np
from sklearn.neural_network import BernoulliRBM

from skdeep import DBNTransformer

# the benchmarks' shared helpers
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from _common import Report, machine, probe, setup, timed_fit  # noqa: E402

RESULTS = Path(__file__).parent / "results"  # tools/results
BATCHES = ("auto", 350, 512)
SHAPES = ((256,), (500,))
MODES = {"defaults": {}, "10 epochs": {"pretrain_iter": 10, "pretrain_tol": 0.0}}
SEEDS = (0, 1, 2, 3, 4)


def seed_round(shape, settings, seed, data, with_rbm):
    """One seed: every batch size fitted one after the other (and
    BernoulliRBM when asked); {batch: (probe, seconds, epochs)} and the
    BernoulliRBM time (None without it)."""
    fits = {
        batch: timed_fit(
            lambda batch=batch: DBNTransformer(
                shape, batch_size=batch, random_state=seed, **settings
            ),
            data[0],
        )
        for batch in BATCHES
    }
    rbm_seconds = None
    if with_rbm:
        rbm_seconds = timed_fit(lambda: BernoulliRBM(random_state=seed), data[0])[1]
    results = {
        batch: (probe(model, data), seconds, model.pretrain_n_iter_[0])
        for batch, (model, seconds) in fits.items()
    }
    return results, rbm_seconds


def rows_of(shape, mode, rounds, rbm_times):
    """Table rows of one shape and mode from its seed rounds."""
    rows = []
    auto = [r["auto"][1] for r in rounds]
    for batch in BATCHES:
        probes, seconds, epochs = zip(*(r[batch] for r in rounds), strict=True)
        ratio = np.median([s / a for s, a in zip(seconds, auto, strict=True)])
        rbm = ""
        if rbm_times[0] is not None:
            pairs = zip(rbm_times, seconds, strict=True)
            rbm = f"{np.median([t / s for t, s in pairs]):.1f}x"
        se = np.std(probes, ddof=1) / np.sqrt(len(probes)) if len(probes) > 1 else 0
        rows.append(
            (
                str(shape),
                mode,
                batch,
                f"{np.mean(probes):.4f} ({se:.4f})",
                " ".join(str(e) for e in epochs),
                f"{np.median(seconds):.2f}",
                f"{ratio:.2f}x",
                rbm,
            )
        )
    return rows


def main():
    args, data = setup(__doc__)
    X_train, X_test, y_train, y_test = data
    data = (X_train.astype(np.float32), X_test.astype(np.float32), y_train, y_test)
    seeds = SEEDS[:1] if args.quick else SEEDS
    report = Report()
    report.add(
        f"# Pretraining minibatch size\n\n{machine()}; MNIST {len(X_train)} "
        f"training and {len(X_test)} test rows, float32, model seeds "
        f"{seeds[0]}-{seeds[-1]}.\n"
    )
    rows = []
    for shape in SHAPES:
        for mode, settings in MODES.items():
            with_rbm = shape == (256,) and mode == "10 epochs"
            rounds, rbm_times = zip(
                *(seed_round(shape, settings, s, data, with_rbm) for s in seeds),
                strict=True,
            )
            rows += rows_of(shape, mode, rounds, rbm_times)
    report.table(
        "DBNTransformer: probe and fit time by minibatch size",
        [
            "hidden",
            "epochs",
            "batch",
            "probe (SE)",
            "epochs run",
            "fit (s)",
            "fit / auto",
            "BernoulliRBM / DBN",
        ],
        rows,
    )
    RESULTS.mkdir(exist_ok=True)
    suffix = "_quick" if args.quick else ""
    (RESULTS / f"batch{suffix}.md").write_text("\n".join(report.lines))


if __name__ == "__main__":
    main()
