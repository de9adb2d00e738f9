"""skdeep: layer-wise pretrained deep networks for scikit-learn."""

from skdeep._sae import StackedAutoencoderTransformer

__version__ = "0.1.0.dev0"

__all__ = ["StackedAutoencoderTransformer", "__version__"]
