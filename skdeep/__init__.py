"""skdeep: layer-wise pretrained deep networks for scikit-learn."""

from skdeep._dbn import DBNTransformer
from skdeep._dbn_classifier import DBNClassifier
from skdeep._sae import StackedAutoencoderTransformer

__version__ = "0.1.0.dev0"

__all__ = [
    "DBNClassifier",
    "DBNTransformer",
    "StackedAutoencoderTransformer",
    "__version__",
]
