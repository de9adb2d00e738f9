"""Fixtures shared by the test modules."""

import os
import warnings

# scikit-learn's Array API checks need scipy's own Array API support, which
# is read once, when scipy is first imported: before anything imports it.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

import pytest
from sklearn.exceptions import ConvergenceWarning


@pytest.fixture
def quiet_convergence():
    """Short fits end at max_iter on purpose: their ConvergenceWarning is
    expected, not a finding."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield
