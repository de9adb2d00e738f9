"""The README's headline, generated from the benchmarks' results files.

The headline compares like with like: the official-protocol figures (the
official MNIST test digits, ``benchmarks/results/mnist_official.md``) in one
table with the published ones of the same protocol (``PUBLISHED`` in
``benchmarks/bench_mnist_full.py``), and the development machine's own
held-out split (``benchmarks/results/mnist_full*.md``) in another, as means
and standard errors over the seeds those files hold, with the fit-time
ratios taken from the same rows.

Run ``python tools/headline.py`` to rewrite the block between the README's
headline markers; ``tests/test_docs_figures.py`` fails when the block and
the results files disagree.
"""

import importlib.util
import re
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
README = ROOT / "README.md"
BEGIN = "<!-- headline: written by tools/headline.py from benchmarks/results -->"
END = "<!-- end of headline -->"

DBN, SAE, MLP = (
    "DBNClassifier((500, 500))",
    "StackedAutoencoderClassifier((500, 500))",
    "MLPClassifier((500, 500))",
)
SEMI = "DBNClassifier((500, 500), unlabeled_label=-1)"
VAT = "DBNClassifier((500, 500), unlabeled_label=-1, virtual_adversarial_epsilon=2)"
LABELED_MLP = "MLPClassifier((500, 500)), labeled rows"
SPREADING = 'LabelSpreading(kernel="knn")'
# headline rows: (name shown, model in the all-label table, in the few-label one)
ROWS = [
    (f"`{DBN}`", DBN, SEMI),
    (f"`{DBN}`, `virtual_adversarial_epsilon=2`", None, VAT),
    (f"`{SAE}`", SAE, None),
    (f"`{MLP}` on the labeled rows", MLP, LABELED_MLP),
    (f"`{SPREADING}`", None, SPREADING),
]
LABELS = (100, 1000)


def tables(path):
    """{heading: [row dicts]} of every markdown table in a results file."""
    found, heading, header = {}, None, None
    for line in path.read_text().splitlines():
        if line.startswith("#"):
            heading, header = line.lstrip("# ").strip(), None
        elif line.startswith("|") and not set(line) <= set("|-: "):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if header is None:
                header = cells
                found[heading] = []
            else:
                found[heading].append(dict(zip(header, cells, strict=True)))
        elif not line.startswith("|"):
            header = None
    return found


def rows_of(found, prefix):
    """The rows of the table whose heading starts with ``prefix``."""
    return next((r for h, r in found.items() if h.startswith(prefix)), [])


def published():
    """{method: {labels or None: error}} from the benchmark's code."""
    spec = importlib.util.spec_from_file_location(
        "bench_mnist_full", ROOT / "benchmarks" / "bench_mnist_full.py"
    )
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    return module.PUBLISHED


def summary(values):
    """ "0.97% ± 0.02": the mean error over seeds and its standard error, or
    the one value."""
    values = np.asarray(values, dtype=float)
    if len(values) == 1:
        return f"{values[0]:.2f}%"
    error = values.std(ddof=1) / np.sqrt(len(values))
    return f"{values.mean():.2f}% ± {error:.2f}"


def development():
    """{(model, labels or None): [errors over seeds]}, and the per-seed fit
    seconds and fit / MLP's ratios of the all-label models, from the
    held-out split's files. A
    label count that a file with a seed column covers is taken from such
    files only (the older, seed-0 rows would count seed 0 twice)."""
    errors, seconds, ratios, unseeded = {}, {}, {}, {}
    for path in sorted(RESULTS.glob("mnist_full*.md")):
        found = tables(path)
        for row in rows_of(found, "All "):
            errors.setdefault((row["model"], None), []).append(row["test error (%)"])
            seconds.setdefault(row["model"], []).append(float(row["fit (s)"]))
            ratios.setdefault(row["model"], []).append(float(row["fit / MLP's"]))
        for row in rows_of(found, "Few labels, the other"):
            key = (row["model"], int(row["labels"]))
            into = errors if "seed" in row else unseeded
            into.setdefault(key, []).append(row["test error (%)"])
    for key, values in unseeded.items():
        errors.setdefault(key, values)
    return errors, seconds, ratios


def _cells(errors, all_name, few_name, format_value):
    cells = []
    for labels in LABELS:
        values = errors.get((few_name, labels)) if few_name else None
        cells.append(format_value(values) if values else "")
    values = errors.get((all_name, None)) if all_name else None
    cells.append(format_value(values) if values else "")
    return cells


def official_table():
    found = tables(RESULTS / "mnist_official.md")
    errors = {}
    for row in rows_of(found, "All "):
        errors[(row["model"], None)] = [row["test error (%)"]]
    for row in rows_of(found, "Few labels"):
        errors[(row["model"], int(row["labels"]))] = [row["test error (%)"]]
    lines = ["| model | 100 labels | 1000 labels | all labels |", "|---|---|---|---|"]
    for shown, all_name, few_name in ROWS:
        cells = _cells(errors, all_name, few_name, lambda v: f"{v[0]}%")
        if any(cells):
            lines.append(f"| {shown} | " + " | ".join(cells) + " |")
    for method, figures in published().items():
        cells = [figures.get(n) for n in (*LABELS, None)]
        if any(c is not None for c in cells):
            text = ["" if c is None else f"{c:.2f}%" for c in cells]
            lines.append(f"| published: {method} | " + " | ".join(text) + " |")
    return lines


def development_table():
    errors, seconds, fit_ratios = development()
    lines = [
        "| model | 100 labels | 1000 labels | all labels |",
        "|---|---|---|---|",
    ]
    for shown, all_name, few_name in ROWS:
        cells = _cells(
            errors, all_name, few_name, lambda v: summary([float(x) for x in v])
        )
        if any(cells):
            lines.append(f"| {shown} | " + " | ".join(cells) + " |")
    ratios = fit_ratios[DBN]
    per_seed = ", ".join(f"{r:.2f}" for r in ratios)
    fits = (
        f"With all labels the DBN's fit took {np.mean(seconds[DBN]):.0f} s on the "
        f"mean against the MLP's {np.mean(seconds[MLP]):.0f} s: "
        f"{np.mean(ratios):.2f} times its time on the mean of the per-seed "
        f"ratios ({per_seed} by seed)."
    )
    counts = {n: len(errors.get((SEMI, n), [])) for n in LABELS}
    seeds = (
        f"All labels: {len(seconds[DBN])} seeds; 100 and 1000 labels: "
        f"{counts[100]} and {counts[1000]}; mean ± standard error over seeds."
    )
    return lines, fits, seeds


def headline():
    """The README's headline block, markers included."""
    dev, fits, seeds = development_table()
    parts = [
        BEGIN,
        "",
        "Official protocol: trained on MNIST's 60000 training digits, tested on "
        "its 10000 official test digits, the test set of the published rows "
        "(`benchmarks/results/mnist_official.md`; measured on another machine, "
        "seed 0, every model at its defaults):",
        "",
        *official_table(),
        "",
        "Development split, on the 2-core development machine: trained on the "
        "first 50000 training digits, tested on the last 10000 of them, held "
        "out (`benchmarks/results/mnist_full*.md`). " + seeds,
        "",
        *dev,
        "",
        fits,
        "",
        END,
    ]
    return "\n".join(parts)


def readme_block(text):
    """The README's current headline block, markers included (None if absent)."""
    match = re.search(re.escape(BEGIN) + ".*?" + re.escape(END), text, re.S)
    return None if match is None else match.group(0)


def main():
    text = README.read_text()
    block = readme_block(text)
    if block is None:
        sys.exit(f"{README} has no headline markers ({BEGIN} ... {END})")
    README.write_text(text.replace(block, headline()))


if __name__ == "__main__":
    main()
