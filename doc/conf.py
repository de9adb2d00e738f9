"""Sphinx configuration for skdeep's documentation.

Build: ``python -m sphinx -W -b html doc doc/_build/html`` (the gallery runs
every example). Offline builds work: besides the projects' own inventories,
intersphinx falls back to small local ones written below, which list only
the objects these pages link to (with their real addresses).
"""

import os
import sys
import zlib
from pathlib import Path

sys.path.insert(0, os.path.abspath(".."))

import skdeep  # noqa: E402

project = "skdeep"
author = "the skdeep developers"
copyright = "2026, the skdeep developers"
version = release = skdeep.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
]
# The benchmarks' results files (markdown) are included as they are; their
# headings start at level 3, under the including page's sections.
suppress_warnings = ["myst.header"]

templates_path = ["_templates"]
exclude_patterns = ["_build"]
html_theme = "pydata_sphinx_theme"
html_title = f"skdeep {release}"
html_theme_options = {"navigation_with_keys": False}
html_static_path = []

autosummary_generate = True
# The metadata-routing setters sklearn generates refer to sklearn's own pages.
autodoc_default_options = {
    "members": True,
    "exclude-members": ",".join(
        f"set_{method}_request" for method in ("fit", "score", "predict", "partial_fit")
    ),
}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": "/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
}

# Objects the pages link to, per project: name -> (role, path below the site).
_LINKED = {
    "sklearn": (
        "https://scikit-learn.org/stable/",
        {
            "sklearn.pipeline.Pipeline": (
                "class",
                "modules/generated/sklearn.pipeline.Pipeline.html",
            ),
            "sklearn.model_selection.GridSearchCV": (
                "class",
                "modules/generated/sklearn.model_selection.GridSearchCV.html",
            ),
            "sklearn.neural_network.BernoulliRBM": (
                "class",
                "modules/generated/sklearn.neural_network.BernoulliRBM.html",
            ),
            "sklearn.neural_network.MLPClassifier": (
                "class",
                "modules/generated/sklearn.neural_network.MLPClassifier.html",
            ),
            "sklearn.linear_model.LogisticRegression": (
                "class",
                "modules/generated/sklearn.linear_model.LogisticRegression.html",
            ),
            "sklearn.ensemble.HistGradientBoostingClassifier": (
                "class",
                "modules/generated/"
                "sklearn.ensemble.HistGradientBoostingClassifier.html",
            ),
            "sklearn.preprocessing.MinMaxScaler": (
                "class",
                "modules/generated/sklearn.preprocessing.MinMaxScaler.html",
            ),
        },
    ),
    "numpy": (
        "https://numpy.org/doc/stable/",
        {"numpy.ndarray": ("class", "reference/generated/numpy.ndarray.html")},
    ),
    "scipy": (
        "https://docs.scipy.org/doc/scipy/",
        {
            "scipy.sparse.csr_matrix": (
                "class",
                "reference/generated/scipy.sparse.csr_matrix.html",
            )
        },
    ),
}


def _write_inventory(path, name, entries):
    header = (
        "# Sphinx inventory version 2\n"
        f"# Project: {name}\n# Version: stable\n"
        "# The remainder of this file is compressed using zlib.\n"
    )
    lines = "".join(
        f"{obj} py:{role} 1 {uri} -\n" for obj, (role, uri) in sorted(entries.items())
    )
    path.write_bytes(header.encode() + zlib.compress(lines.encode()))


_inventories = Path(__file__).parent / "_build" / "inventories"
_inventories.mkdir(parents=True, exist_ok=True)
intersphinx_mapping = {}
for _name, (_url, _entries) in _LINKED.items():
    _local = _inventories / f"{_name}.inv"
    _write_inventory(_local, _name, _entries)
    intersphinx_mapping[_name] = (_url, (None, str(_local)))
intersphinx_timeout = 5
