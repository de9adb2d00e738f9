"""Displays of what a fitted network learned, in scikit-learn's style.

Each Display is built with ``from_estimator(estimator, ...)``, which
computes its data from the fitted estimator and calls ``plot``; its
constructor stores only computed data, and ``plot(ax=None, ...)`` draws it
and sets ``ax_`` and ``figure_`` (and the artists it made) for further
styling, as :class:`sklearn.metrics.RocCurveDisplay` does. matplotlib is
needed to plot (``pip install "skdeep[examples]"``).

- :class:`TrainingHistoryDisplay`: every phase's curve on one epoch axis;
- :class:`FiltersDisplay`: a layer's filters as images;
- :class:`ReconstructionDisplay`: rows and their reconstructions;
- :class:`SamplesDisplay`: samples drawn from a generative model.
"""

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils._optional_dependencies import check_matplotlib_support
from sklearn.utils.validation import check_is_fitted

from skdeep._core.xp import to_numpy

__all__ = [
    "FiltersDisplay",
    "ReconstructionDisplay",
    "SamplesDisplay",
    "TrainingHistoryDisplay",
]


def _axes(ax, name):
    """``ax``, or a new figure's axes."""
    check_matplotlib_support(f"{name}.plot")
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots()
    return ax


def _check_kind(estimator, attributes, kind, display):
    """A ValueError unless ``estimator`` is fitted and has ``attributes``."""
    if not hasattr(estimator, "get_params"):
        raise ValueError(
            f"{display} needs a fitted skdeep estimator; got {estimator!r}."
        )
    check_is_fitted(estimator)
    missing = [name for name in attributes if not hasattr(estimator, name)]
    if missing:
        raise ValueError(
            f"{display} needs {kind}; {type(estimator).__name__} has no "
            f"{', '.join(missing)}."
        )


def image_shape_of(n_features, image_shape=None):
    """``image_shape``, or the square a row of ``n_features`` makes."""
    if image_shape is not None:
        if int(np.prod(image_shape)) != n_features:
            raise ValueError(
                f"image_shape={tuple(image_shape)} holds {int(np.prod(image_shape))} "
                f"pixels; the rows have {n_features} features."
            )
        return tuple(image_shape)
    side = int(round(np.sqrt(n_features)))
    if side * side != n_features:
        raise ValueError(
            f"Rows of {n_features} features are no square image: give "
            "image_shape=(height, width)."
        )
    return side, side


def tile(images, shape, n_columns):
    """One mosaic of ``images`` (rows of a 2-D array), ``n_columns`` per
    row, one pixel of NaN between them (drawn as background)."""
    height, width = shape
    n_rows = -(-len(images) // n_columns)
    mosaic = np.full((n_rows * (height + 1) - 1, n_columns * (width + 1) - 1), np.nan)
    for k, image in enumerate(images):
        r, c = divmod(k, n_columns)
        top, left = r * (height + 1), c * (width + 1)
        mosaic[top : top + height, left : left + width] = image.reshape(shape)
    return mosaic


class TrainingHistoryDisplay:
    """The training history of a fit: each layer's pretraining curve, then
    the fine-tuning (or wake-sleep, or up-down) loss, on one epoch axis,
    with the phase boundaries marked and the validation scores of early
    stopping on a second axis.

    Parameters
    ----------
    curves : list of (str, array)
        Each phase's name and its loss per epoch, in training order.

    validation_scores : array or None
        The fine-tuning validation scores (early stopping), or None.

    estimator_name : str
        The name of the estimator, for the title.

    Attributes
    ----------
    ax_ : matplotlib Axes
        The axes of the losses.

    figure_ : matplotlib Figure
        The figure.

    lines_ : dict of str to matplotlib Line2D
        The line of each phase, and "validation score" when there is one.
    """

    def __init__(self, curves, validation_scores=None, estimator_name=None):
        self.curves = curves
        self.validation_scores = validation_scores
        self.estimator_name = estimator_name

    @classmethod
    def from_estimator(cls, estimator, *, ax=None):
        """Plot the training history of a fitted skdeep estimator.

        Parameters
        ----------
        estimator : fitted skdeep estimator
            Any of the six.

        ax : matplotlib Axes, default=None
            Where to draw; a new figure when None.

        Returns
        -------
        display : TrainingHistoryDisplay
        """
        _check_kind(
            estimator, ["pretrain_loss_curves_"], "a pretrained stack", cls.__name__
        )
        curves = [
            (f"pretraining layer {k + 1}", np.asarray(curve, dtype=float))
            for k, curve in enumerate(estimator.pretrain_loss_curves_)
        ]
        tuned = getattr(estimator, "loss_curve_", None)
        if tuned:
            name = _fine_tuning_name(estimator)
            curves.append((name, np.asarray(tuned, dtype=float)))
        scores = getattr(estimator, "validation_scores_", None)
        scores = np.asarray(scores, dtype=float) if scores else None
        return cls(curves, scores, type(estimator).__name__).plot(ax=ax)

    def plot(self, ax=None):
        """Draw the history.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; a new figure when None.

        Returns
        -------
        display : TrainingHistoryDisplay
        """
        ax = _axes(ax, type(self).__name__)
        self.lines_, start = {}, 0
        for name, curve in self.curves:
            epochs = np.arange(start + 1, start + len(curve) + 1)
            (self.lines_[name],) = ax.plot(epochs, curve, marker=".", label=name)
            if start:
                ax.axvline(start + 0.5, color="0.7", linestyle="--", linewidth=0.8)
            start += len(curve)
        ax.set_yscale("log")
        ax.set_xlabel("epoch (phases one after the other)")
        ax.set_ylabel("training loss of the phase")
        if self.validation_scores is not None and self.curves:
            self._plot_scores(ax, start)
        ax.legend(fontsize=8)
        ax.set_title(f"{self.estimator_name}: training history", fontsize=10)
        self.ax_, self.figure_ = ax, ax.figure
        return self

    def _plot_scores(self, ax, end):
        twin = ax.twinx()
        scores = self.validation_scores
        epochs = np.arange(end - len(scores) + 1, end + 1)
        (line,) = twin.plot(
            epochs, scores, color="k", linestyle=":", label="validation"
        )
        twin.set_ylabel("validation score (early stopping)")
        self.lines_["validation score"] = line


def _fine_tuning_name(estimator):
    if hasattr(estimator, "fine_tuning") and estimator.fine_tuning == "up-down":
        return "up-down"
    if type(estimator).__name__ == "DBNTransformer":
        return "wake-sleep"
    return "fine-tuning"


class _ImagesDisplay:
    """Rows drawn as images in one mosaic; the Displays below differ only in
    where the rows come from.

    Parameters
    ----------
    images : ndarray of shape (n_images, n_pixels)
        The images, one per row.

    image_shape : tuple of int
        (height, width) of an image.

    n_columns : int
        Images per row of the mosaic.

    title : str
        The title of the plot.

    Attributes
    ----------
    ax_ : matplotlib Axes
        The axes.

    figure_ : matplotlib Figure
        The figure.

    image_ : matplotlib AxesImage
        The mosaic.
    """

    cmap = "gray"

    def __init__(self, images, image_shape, n_columns, title=""):
        self.images = images
        self.image_shape = image_shape
        self.n_columns = n_columns
        self.title = title

    def plot(self, ax=None, *, cmap=None):
        """Draw the mosaic.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; a new figure when None.

        cmap : str, default=None
            The colormap (the Display's own when None).

        Returns
        -------
        display : the Display
        """
        ax = _axes(ax, type(self).__name__)
        mosaic = tile(self.images, self.image_shape, self.n_columns)
        self.image_ = ax.imshow(mosaic, cmap=cmap or self.cmap, interpolation="nearest")
        ax.set_axis_off()
        ax.set_title(self.title, fontsize=10)
        self.ax_, self.figure_ = ax, ax.figure
        return self


def _with_parameters(summary):
    """A Display's docstring: its own summary, then the shared parameters
    and attributes of :class:`_ImagesDisplay`."""
    return summary + "\n" + _ImagesDisplay.__doc__.split("\n", 2)[2]


class FiltersDisplay(_ImagesDisplay):
    __doc__ = _with_parameters(
        """What a layer's units respond to, as images: the first layer's
    incoming weights, a deeper layer's through the product of the weights
    below it (W_1 W_2 ... W_k), each filter scaled to its largest
    magnitude."""
    )
    cmap = "RdBu_r"

    @classmethod
    def from_estimator(
        cls, estimator, *, layer=1, n_filters=64, image_shape=None, ax=None
    ):
        """Plot the filters of one layer of a fitted skdeep estimator.

        Parameters
        ----------
        estimator : fitted skdeep estimator
            Any of the six.

        layer : int, default=1
            The layer, counted from 1 at the input.

        n_filters : int, default=64
            How many of the layer's units to draw (the first ones).

        image_shape : tuple of int, default=None
            (height, width) of an input row; inferred when it is a square.

        ax : matplotlib Axes, default=None
            Where to draw; a new figure when None.

        Returns
        -------
        display : FiltersDisplay
        """
        _check_kind(estimator, ["coefs_"], "a pretrained stack", cls.__name__)
        coefs = [to_numpy(W).astype(float) for W in estimator.coefs_]
        if not 1 <= layer <= len(coefs):
            raise ValueError(
                f"layer={layer}: {type(estimator).__name__} has layers 1 to "
                f"{len(coefs)}."
            )
        filters = coefs[0]
        for W in coefs[1:layer]:
            filters = filters @ W
        filters = filters[:, :n_filters].T
        scale = np.abs(filters).max(axis=1, keepdims=True)
        filters = filters / np.where(scale > 0, scale, 1.0)
        shape = image_shape_of(filters.shape[1], image_shape)
        columns = int(np.ceil(np.sqrt(len(filters))))
        title = f"{type(estimator).__name__}: filters of layer {layer}"
        return cls(filters, shape, columns, title).plot(ax=ax)


class ReconstructionDisplay(_ImagesDisplay):
    __doc__ = _with_parameters(
        """Rows and their reconstructions by a transformer (the row above,
    its reconstruction ``inverse_transform(transform(X))`` below)."""
    )

    @classmethod
    def from_estimator(cls, estimator, X, *, image_shape=None, ax=None):
        """Plot rows of X and their reconstructions.

        Parameters
        ----------
        estimator : fitted StackedAutoencoderTransformer or DBNTransformer
            A transformer that reconstructs (``inverse_transform``).

        X : array-like of shape (n_rows, n_features)
            The rows to reconstruct (a dozen or so draws well).

        image_shape : tuple of int, default=None
            (height, width) of a row; inferred when it is a square.

        ax : matplotlib Axes, default=None
            Where to draw; a new figure when None.

        Returns
        -------
        display : ReconstructionDisplay
        """
        _check_kind(
            estimator, ["inverse_transform"], "a model that reconstructs", cls.__name__
        )
        X = np.asarray(X, dtype=float)
        rebuilt = to_numpy(estimator.inverse_transform(estimator.transform(X)))
        shape = image_shape_of(X.shape[1], image_shape)
        images = np.concatenate([X, np.asarray(rebuilt, dtype=float)])
        title = f"{type(estimator).__name__}: rows (top), reconstructions (bottom)"
        return cls(images, shape, len(X), title).plot(ax=ax)


class SamplesDisplay(_ImagesDisplay):
    __doc__ = _with_parameters(
        """Samples from a generative model by Gibbs sampling: one row per
    class from a ``DBNClassifier(fine_tuning="up-down")`` (label clamped),
    or a mosaic of samples from a ``DBNTransformer``."""
    )

    @classmethod
    def from_estimator(
        cls,
        estimator,
        *,
        n_samples=8,
        n_gibbs_steps=500,
        image_shape=None,
        random_state=None,
        ax=None,
    ):
        """Plot samples drawn from a fitted generative model.

        Parameters
        ----------
        estimator : fitted DBNTransformer or DBNClassifier (up-down)
            A model with ``sample``.

        n_samples : int, default=8
            Samples per class (a classifier), or in all (a transformer).

        n_gibbs_steps : int, default=500
            Gibbs steps of each chain.

        image_shape : tuple of int, default=None
            (height, width) of a row; inferred when it is a square.

        random_state : int, RandomState instance or None, default=None
            Seeds the chains.

        ax : matplotlib Axes, default=None
            Where to draw; a new figure when None.

        Returns
        -------
        display : SamplesDisplay
        """
        _check_kind(estimator, ["sample"], "a generative model", cls.__name__)
        rng = check_random_state(random_state)
        if hasattr(estimator, "classes_"):
            if getattr(estimator, "fine_tuning", None) != "up-down":
                raise ValueError(
                    "SamplesDisplay needs a generative classifier: "
                    'DBNClassifier(fine_tuning="up-down").'
                )
            labels = np.repeat(estimator.classes_, n_samples)
            images = estimator.sample(
                labels, n_gibbs_steps=n_gibbs_steps, random_state=rng
            )
            columns, title = n_samples, "one row per class"
        else:
            images = estimator.sample(
                n_samples, n_gibbs_steps=n_gibbs_steps, random_state=rng
            )
            columns, title = int(np.ceil(np.sqrt(n_samples))), "samples"
        images = np.asarray(to_numpy(images), dtype=float)
        shape = image_shape_of(images.shape[1], image_shape)
        return cls(images, shape, columns, f"{type(estimator).__name__}: {title}").plot(
            ax=ax
        )
