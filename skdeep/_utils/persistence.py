"""The types a skdeep model file holds, for loading it safely with skops."""

from skdeep._core.loops import Stream
from skdeep._core.optim import SGD, Adam


def trusted_types():
    """Names of the types a fitted skdeep estimator may hold.

    A model saved with ``skops.io.dump`` holds numpy arrays, Python
    containers and numbers (which skops trusts by default), the estimator's
    own class and, after ``partial_fit``, the streaming state (``Stream``
    and its ``SGD`` / ``Adam`` optimizers). Pass this list as ``trusted`` to
    ``skops.io.load``: a file that holds any other type is refused.

    Returns
    -------
    types : list of str
        Fully qualified type names, as ``skops.io.get_untrusted_types``
        reports them.

    Examples
    --------
    >>> from skdeep import trusted_types
    >>> "skdeep._dbn.classifier.DBNClassifier" in trusted_types()
    True
    """
    import skdeep

    estimators = [getattr(skdeep, name) for name in skdeep.__all__]
    classes = [c for c in estimators if isinstance(c, type)]
    return sorted(
        f"{cls.__module__}.{cls.__qualname__}" for cls in [*classes, Stream, SGD, Adam]
    )
