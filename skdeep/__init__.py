"""skdeep: layer-wise pretrained deep networks for scikit-learn."""

from skdeep._dbn import DBNTransformer
from skdeep._dbn_classifier import DBNClassifier
from skdeep._dbn_regressor import DBNRegressor
from skdeep._persistence import trusted_types
from skdeep._sae import StackedAutoencoderTransformer
from skdeep._sae_supervised import (
    StackedAutoencoderClassifier,
    StackedAutoencoderRegressor,
)

__version__ = "0.1.0.dev0"

__all__ = [
    "DBNClassifier",
    "DBNRegressor",
    "DBNTransformer",
    "StackedAutoencoderClassifier",
    "StackedAutoencoderRegressor",
    "StackedAutoencoderTransformer",
    "__version__",
    "trusted_types",
]
