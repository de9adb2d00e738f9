"""skdeep: layer-wise pretrained deep networks for scikit-learn."""

from skdeep._autoencoder.classifier import StackedAutoencoderClassifier
from skdeep._autoencoder.regressor import StackedAutoencoderRegressor
from skdeep._autoencoder.transformer import StackedAutoencoderTransformer
from skdeep._dbn.classifier import DBNClassifier
from skdeep._dbn.regressor import DBNRegressor
from skdeep._dbn.transformer import DBNTransformer
from skdeep._utils.persistence import trusted_types

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
