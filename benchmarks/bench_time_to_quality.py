"""Time to a good model: quality against wall time, in one process and one run.

On MNIST dev (``--data``, the protocol of ``bench_mnist.py``: 3500 training
and 1500 test rows) and on sklearn's digits (a stratified 70/30 split):

1. transformers, float32 and float64: LogisticRegression-probe accuracy
   (fitted on every training row's features, scored on the test rows)
   against fit time, for ``DBNTransformer`` and
   ``StackedAutoencoderTransformer`` at their defaults but for the number
   of epochs (``pretrain_iter`` = 1, 2, 3, 5, 10, 20 with ``pretrain_tol=0``,
   and the defaults themselves, whose stopping rule picks the epochs), and
   sklearn's ``BernoulliRBM`` at its defaults for ``n_iter`` = 1, 2, 5, 10,
   20;
2. two speed figures: how much sooner ``DBNTransformer``
   reaches the probe accuracy of ``BernoulliRBM`` after 20 epochs (from
   those rows), and the speed of pretraining at equal epochs (10, the
   BernoulliRBM default; the median of five same-round ratios, each round
   one fit of each model) with
   both probe accuracies beside it;
3. classifiers: test accuracy against fit time for ``DBNClassifier`` and
   ``StackedAutoencoderClassifier`` (``(500, 500)`` on MNIST, ``(256,)`` on
   digits) and ``MLPClassifier`` of the same shape, each at its defaults and
   with ``max_iter`` = 5, 10, 20, 40 fine-tuning epochs. At the defaults,
   whose fit-time ratio to the MLP's matters most, the three models are
   fitted in five rounds of one fit each, one after the other: the ratio
   is the median of the five same-round ratios (this shared machine's
   speed drifts by a third over minutes, so fits timed minutes apart gave
   ratios from 2.1x to 3.4x).

Every model is fitted from scratch for every point (a point's time is the
time of a fit that stops there), on the same split with ``random_state=0``.
Run: ``python benchmarks/bench_time_to_quality.py --data
../shared/data/mnist_dev.npz`` (about 15 minutes on 2 cores; ``--quick``
for a smoke run). Writes ``benchmarks/results/time_to_quality.md`` and
``time_to_quality.png`` (with matplotlib).
"""

import numpy as np
from _common import RESULTS, SEED, Report, machine, probe, pyplot, setup, timed_fit
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.neural_network import BernoulliRBM, MLPClassifier

from skdeep import (
    DBNClassifier,
    DBNTransformer,
    StackedAutoencoderClassifier,
    StackedAutoencoderTransformer,
)

SKDEEP_EPOCHS = (1, 2, 3, 5, 10, 20)
RBM_EPOCHS = (1, 2, 5, 10, 20)
EQUAL_EPOCHS = 10  # BernoulliRBM's default n_iter
TUNING_EPOCHS = (5, 10, 20, 40)
EQUAL_EPOCH_ROUNDS = 5  # rounds of the equal-epoch speed
DEFAULT_ROUNDS = 5  # rounds of default classifier fits, one of each model
DEFAULTS = "defaults"


def transformer_makers():
    """name -> (epoch counts, make(epochs) -> estimator); epochs=DEFAULTS
    means every parameter at its default."""

    def skdeep_maker(cls):
        def make(epochs):
            if epochs == DEFAULTS:
                return cls(random_state=SEED)
            return cls(random_state=SEED, pretrain_iter=epochs, pretrain_tol=0.0)

        return (*SKDEEP_EPOCHS, DEFAULTS), make

    def rbm(epochs):
        return BernoulliRBM(random_state=SEED, n_iter=epochs)

    return {
        "DBNTransformer": skdeep_maker(DBNTransformer),
        "StackedAutoencoderTransformer": skdeep_maker(StackedAutoencoderTransformer),
        "BernoulliRBM": (RBM_EPOCHS, rbm),
    }


def transformer_curves(report, name, data, quick):
    """{(model, dtype): [(epochs, seconds, probe accuracy)]}."""
    curves = {}
    rows = []
    for dtype in (np.float32, np.float64):
        X_train = data[0].astype(dtype)
        typed = (X_train, data[1].astype(dtype), *data[2:])
        for model, (epochs, make) in transformer_makers().items():
            points = curves.setdefault((model, dtype.__name__), [])
            for e in epochs[:2] if quick else epochs:
                fitted, seconds = timed_fit(lambda e=e, f=make: f(e), X_train)
                ran = e if e != DEFAULTS else max(fitted.pretrain_n_iter_)
                accuracy = probe(fitted, typed)
                points.append((e, ran, seconds, accuracy))
                label = f"{e}" if e != DEFAULTS else f"defaults ({ran})"
                rows.append(
                    (model, dtype.__name__, label, f"{seconds:.2f}", f"{accuracy:.4f}")
                )
    report.table(
        f"{name}: LogisticRegression probe against fit time (transformers)",
        ["model", "dtype", "epochs", "fit (s)", "probe accuracy"],
        rows,
    )
    return curves


def equal_epoch_speed(X_train, dtype, epochs, rounds):
    """BernoulliRBM's fit time over DBNTransformer's, both for ``epochs``
    epochs at their defaults: the median over ``rounds`` of the same-round
    ratio, each round one fit of each model, so that a burst of load on
    this shared machine slows both (sequential medians of sub-second fits
    moved by 2x)."""
    X = X_train.astype(dtype)
    makers = transformer_makers()
    ratios = []
    for _ in range(rounds):
        seconds = {
            m: timed_fit(lambda m=m: makers[m][1](epochs), X)[1]
            for m in ("DBNTransformer", "BernoulliRBM")
        }
        ratios.append(seconds["BernoulliRBM"] / seconds["DBNTransformer"])
    return float(np.median(ratios))


def speed_summary(report, name, curves, X_train, quick):
    """Time to BernoulliRBM's 20-epoch probe accuracy, and equal epochs."""
    rows = []
    for dtype in ("float32", "float64"):
        rbm = {e: (s, a) for e, _, s, a in curves[("BernoulliRBM", dtype)]}
        dbn = curves[("DBNTransformer", dtype)]
        numbered = {e: (s, a) for e, _, s, a in dbn if e != DEFAULTS}
        last = max(rbm)
        target_seconds, target = rbm[last]
        reached = [(s, e) for e, _, s, a in dbn if a >= target and e != DEFAULTS]
        sooner = (
            f"{target_seconds / min(reached)[0]:.1f}x (at {min(reached)[1]} epochs)"
            if reached
            else "not reached"
        )
        equal = EQUAL_EPOCHS if EQUAL_EPOCHS in rbm and EQUAL_EPOCHS in numbered else 1
        rounds = 1 if quick else EQUAL_EPOCH_ROUNDS
        ratio = equal_epoch_speed(X_train, dtype, equal, rounds)
        rows.append(
            (
                dtype,
                f"{target:.4f} in {target_seconds:.1f} s ({last} epochs)",
                sooner,
                f"{ratio:.1f}x ({equal} epochs, median of {rounds} same-round ratios)",
                f"{numbered[equal][1]:.4f} vs {rbm[equal][1]:.4f}",
            )
        )
    report.table(
        f"{name}: DBNTransformer against BernoulliRBM, each at its defaults",
        [
            "dtype",
            "BernoulliRBM probe",
            "DBNTransformer reaches it sooner by",
            "speed at equal epochs",
            "probe at equal epochs (DBN vs RBM)",
        ],
        rows,
    )


def default_rounds(makers, data, rounds, curves, rows):
    """Fit every model at its defaults once per round, one after the other,
    so that the fits of one round see the same load on this shared machine;
    add each model's median time and accuracy to ``curves`` and ``rows``,
    and return a summary of its same-round time ratios to the MLP's."""
    X_train, X_test, y_train, y_test = data
    fits = {model: [] for model in makers}
    for _ in range(rounds):
        for model, make in makers.items():
            fits[model].append(timed_fit(make, X_train, y_train))
    mlp_seconds = [seconds for _, seconds in fits["MLPClassifier"]]
    summary = []
    for model, model_fits in fits.items():
        fitted = model_fits[0][0]
        seconds = [s for _, s in model_fits]
        accuracy = fitted.score(X_test, y_test)
        curves[model].append((DEFAULTS, float(np.median(seconds)), accuracy))
        label = f"defaults ({fitted.n_iter_})"
        rows.append((model, label, f"{np.median(seconds):.2f}", f"{accuracy:.4f}"))
        ratios = np.divide(seconds, mlp_seconds)
        summary.append(
            f"{model} {np.median(ratios):.2f}x (rounds: "
            + ", ".join(f"{r:.2f}x" for r in ratios)
            + f"; accuracy {accuracy:.4f})"
        )
    return "; ".join(summary)


def classifier_curves(report, name, data, shape, quick):
    X_train, X_test, y_train, y_test = data
    makers = {
        "DBNClassifier": lambda **kw: DBNClassifier(shape, random_state=SEED, **kw),
        "StackedAutoencoderClassifier": lambda **kw: StackedAutoencoderClassifier(
            shape, random_state=SEED, **kw
        ),
        "MLPClassifier": lambda **kw: MLPClassifier(shape, random_state=SEED, **kw),
    }
    curves, rows = {}, []
    for model, make in makers.items():
        for e in TUNING_EPOCHS[:1] if quick else TUNING_EPOCHS:
            fitted, seconds = timed_fit(
                lambda e=e, f=make: f(max_iter=e), X_train, y_train
            )
            accuracy = fitted.score(X_test, y_test)
            curves.setdefault(model, []).append((e, seconds, accuracy))
            rows.append((model, f"{e}", f"{seconds:.2f}", f"{accuracy:.4f}"))
    rounds = 1 if quick else DEFAULT_ROUNDS
    summary = default_rounds(makers, data, rounds, curves, rows)
    report.table(
        f"{name}: test accuracy against fit time (classifiers, {shape})",
        [
            "model",
            "fine-tuning epochs",
            f"fit (s; defaults: median of {rounds})",
            "accuracy",
        ],
        rows,
    )
    report.add(
        f"At the defaults, fit time over MLPClassifier's in the same round "
        f"(median of {rounds} rounds of one fit each): {summary}\n"
    )
    return curves


def plot(all_curves, path):
    plt = pyplot()
    if plt is None:
        return
    fig, axes = plt.subplots(1, len(all_curves), figsize=(6 * len(all_curves), 4.5))
    for ax, (title, curves) in zip(
        np.atleast_1d(axes), all_curves.items(), strict=True
    ):
        for label, points in curves.items():
            points = sorted(points, key=lambda p: p[-2])
            ax.plot([p[-2] for p in points], [p[-1] for p in points], "o-", label=label)
        ax.set_xscale("log")
        ax.set_xlabel("fit time (s, log scale)")
        ax.set_ylabel("accuracy")
        ax.set_title(title)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=90)


def main():
    args, mnist = setup(__doc__)
    digits_X, digits_y = load_digits(return_X_y=True)
    digits = train_test_split(
        digits_X / 16.0, digits_y, test_size=0.3, stratify=digits_y, random_state=SEED
    )
    report = Report()
    report.add(
        f"# Time to a good model\n\n{machine()}; MNIST {len(mnist[0])} training "
        f"and {len(mnist[1])} test rows, digits {len(digits[0])} and "
        f"{len(digits[1])}.\n"
    )
    plots = {}
    for name, data, shape in (("MNIST", mnist, (500, 500)), ("digits", digits, (256,))):
        curves = transformer_curves(report, name, data, args.quick)
        speed_summary(report, name, curves, data[0], args.quick)
        plots[f"{name}: probe (float64)"] = {
            m: [(s, a) for _, _, s, a in c]
            for (m, dtype), c in curves.items()
            if dtype == "float64"
        }
        plots[f"{name}: classifiers"] = {
            m: [(s, a) for _, s, a in c]
            for m, c in classifier_curves(report, name, data, shape, args.quick).items()
        }
    RESULTS.mkdir(exist_ok=True)
    suffix = "_quick" if args.quick else ""
    (RESULTS / f"time_to_quality{suffix}.md").write_text("\n".join(report.lines))
    plot(plots, RESULTS / f"time_to_quality{suffix}.png")


if __name__ == "__main__":
    main()
