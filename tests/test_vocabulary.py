"""One vocabulary across the six estimators: names, order, keyword-only
parameters, the documentation's parameter table, and docstrings that read
as reference (short, no benchmark figures)."""

import inspect
import itertools
import re
from pathlib import Path

import pytest

import skdeep

ESTIMATORS = [
    getattr(skdeep, name)
    for name in skdeep.__all__
    if isinstance(getattr(skdeep, name), type)
]
TABLE = Path(__file__).resolve().parents[1] / "doc" / "user_guide" / "parameters.rst"


def parameters(cls):
    return inspect.signature(cls).parameters


@pytest.mark.parametrize(
    "first, second",
    list(itertools.combinations(ESTIMATORS, 2)),
    ids=lambda cls: cls.__name__,
)
def test_shared_parameters_come_in_the_same_order(first, second):
    shared = [name for name in parameters(first) if name in parameters(second)]
    assert shared == [name for name in parameters(second) if name in shared]


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda cls: cls.__name__)
def test_every_parameter_after_the_layers_is_keyword_only(cls):
    names = list(parameters(cls))
    assert names[0] == "hidden_layer_sizes"
    assert names[-2:] == ["random_state", "verbose"]
    kinds = {p.kind for p in list(parameters(cls).values())[1:]}
    assert kinds == {inspect.Parameter.KEYWORD_ONLY}


def documented_defaults():
    """(estimator columns, {column: {parameter: default}}) from the docs'
    parameter table (a list-table: a row's first cell, then one per column)."""
    rows = []
    for line in TABLE.read_text().splitlines():
        if line.startswith("   * - "):
            rows.append([line[7:].strip("`")])
        elif line.startswith("     -") and rows:
            rows[-1].append(line[6:].strip().strip("`"))
    header = rows[0][1:]
    table = {column: {} for column in header}
    for name, *cells in rows[1:]:
        for column, value in zip(header, cells, strict=True):
            if value:
                table[column][name] = value
    return header, table


def column_name(cls):
    """ "SAE classifier" for StackedAutoencoderClassifier, and so on."""
    family = "SAE" if cls.__name__.startswith("Stacked") else "DBN"
    task = re.search("(Transformer|Classifier|Regressor)$", cls.__name__).group(1)
    return f"{family} {task.lower()}"


def test_the_documented_parameter_table_matches_the_signatures():
    header, table = documented_defaults()
    short = {column_name(cls): cls for cls in ESTIMATORS}
    for column in header:
        cls = short[column]
        actual = {name: repr(p.default) for name, p in parameters(cls).items()}
        assert table[column] == actual, column


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda cls: cls.__name__)
def test_class_docstrings_are_reference_not_results(cls):
    doc = cls.__doc__
    assert len(doc.splitlines()) < 300
    assert ":ref:`User Guide <" in doc
    # measured figures belong on the documentation's benchmark pages
    assert not re.search(r"\b0\.9\d\d|\bseeds? \d|mean of seeds|5-fold", doc)
    documented = re.findall(r"^    (\w+) : ", doc.split("Attributes\n")[0], re.M)
    assert documented == list(parameters(cls))


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda cls: cls.__name__)
def test_help_of_every_public_method_is_a_docstring(cls):
    """help() shows each public method's own docstring (numpydoc, with its
    Parameters or Returns), never a comment or nothing."""
    for name, member in inspect.getmembers(cls, callable):
        if name.startswith("_") or isinstance(member, type):
            continue
        doc = member.__doc__ or ""
        assert doc.strip(), f"{cls.__name__}.{name} has no docstring"
        assert "Returns" in doc or "Parameters" in doc, f"{cls.__name__}.{name}"
