"""Every figure in the README and the documentation comes from one source.

A figure is a number with a decimal point, or a number with a unit (%, x,
s, seconds, minutes, times), in the prose or the literal blocks of a page.
Each must appear in a results file the page itself names (an ``include``,
a ``literalinclude`` or a link to ``benchmarks/results/`` or
``tools/results/``) or in the code (``skdeep/``, ``benchmarks/``,
``tools/``, ``pyproject.toml``: defaults, published figures, versions).
Code blocks, inline code and math are code, not figures. A figure retyped
from a run and never updated fails here, naming the page and the figure.
"""

import importlib.util
import re
from functools import cache
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "doc").rglob("*.rst"))]
PAGES = [p for p in PAGES if "_build" not in p.parts and "generated" not in p.parts]
PAGES = [p for p in PAGES if "auto_examples" not in p.parts]
PAGES = [p for p in PAGES if p.name != "sg_execution_times.rst"]  # a build output

RESULTS = re.compile(r"((?:benchmarks|tools)/results/[\w.-]+\.md)")
FIGURE = re.compile(
    r"(?<![\w.])(\d+(?:\.\d+)?)(?:\s?%|\s?x\b|\s?s\b|\s(?:seconds|minutes|times)\b)"
    r"|(?<![\w.])(\d+\.\d+)"
)
CODE_BLOCK_RST = re.compile(
    r"^(\s*)\.\. (?:code-block|code|sourcecode|math|image|figure|"
    r"literalinclude|include)::.*?(?=^\1\S|\Z)",
    re.M | re.S,
)
FENCE = re.compile(r"^```.*?^```", re.M | re.S)
INLINE = re.compile(r"``.*?``|`[^`\n]*`|:math:`[^`]*`", re.S)


def headline_module():
    spec = importlib.util.spec_from_file_location(
        "headline", ROOT / "tools" / "headline.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def prose(page):
    """The page without code blocks, directives, inline code and math, nor
    the README's generated headline (checked against its generator below)."""
    text = page.read_text()
    text = re.sub(r"<!-- headline:.*?<!-- end of headline -->", "", text, flags=re.S)
    text = FENCE.sub("", text)
    text = CODE_BLOCK_RST.sub("", text)
    text = re.sub(r"^\s*:\w[\w-]*:.*$", "", text, flags=re.M)  # options
    return INLINE.sub("", text)


@cache
def code_text():
    files = [ROOT / "pyproject.toml"]
    for folder in ("skdeep", "benchmarks", "tools"):
        files += sorted((ROOT / folder).rglob("*.py"))
    return "\n".join(f.read_text() for f in files)


def sources(page):
    """The results files a page names, and the code."""
    named = sorted(set(RESULTS.findall(page.read_text())))
    missing = [name for name in named if not (ROOT / name).exists()]
    assert not missing, f"{page.name} names results files that do not exist: {missing}"
    return "\n".join((ROOT / name).read_text() for name in named) + code_text()


def appears(number, text):
    return re.search(rf"(?<![\d.]){re.escape(number)}(?![\d])", text) is not None


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_figure_comes_from_a_results_file_or_the_code(page):
    text = sources(page)
    figures = {a or b for a, b in FIGURE.findall(prose(page))}
    stray = sorted(f for f in figures if not appears(f, text))
    assert not stray, (
        f"{page.relative_to(ROOT)}: figures found in no results file it names "
        f"nor in the code: {stray}"
    )


def test_the_rule_catches_a_retyped_figure(tmp_path):
    """The check itself can fail: a figure from nowhere is caught, one from
    a named results file or in code is not."""
    page = tmp_path / "page.rst"
    page.write_text(
        "It reaches 0.98765 in 12 s (see benchmarks/results/mnist.md).\n\n"
        "``dropout=0.123456``\n"
    )
    figures = {a or b for a, b in FIGURE.findall(prose(page))}
    assert figures == {"0.98765", "12"}
    assert not appears("0.98765", sources(page))


def test_the_readme_headline_is_what_its_generator_makes_of_the_results():
    """Run ``python tools/headline.py`` after a benchmark writes new results."""
    headline = headline_module()
    block = headline.readme_block(headline.README.read_text())
    assert block is not None, "the README lost its headline markers"
    assert block == headline.headline(), (
        "README.md's headline differs from the results files: run "
        "python tools/headline.py"
    )


def test_the_headline_compares_the_fit_times_its_own_rows_give():
    """The ratio sentence is the mean of the per-seed fit / MLP's ratios of
    the all-label tables, and they agree with the tables' fit times."""
    headline = headline_module()
    errors, seconds, fit_ratios = headline.development()
    dbn, mlp = seconds[headline.DBN], seconds[headline.MLP]
    ratios = fit_ratios[headline.DBN]
    for ratio, d, m in zip(ratios, dbn, mlp, strict=True):
        assert ratio == pytest.approx(d / m, abs=0.01)  # seconds are rounded
    _, fits, _ = headline.development_table()
    assert f"{np.mean(ratios):.2f} times" in fits
    assert all(f"{r:.2f}" in fits for r in ratios)
