"""The Displays: built on the Agg backend, their artists exposed, and a
clear ValueError for an estimator not fitted or not of their kind."""

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression

import skdeep
from skdeep.inspection import (
    FiltersDisplay,
    ReconstructionDisplay,
    SamplesDisplay,
    TrainingHistoryDisplay,
    image_shape_of,
    tile,
)

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

ESTIMATORS = [
    skdeep.DBNClassifier,
    skdeep.StackedAutoencoderClassifier,
    skdeep.DBNRegressor,
    skdeep.StackedAutoencoderRegressor,
    skdeep.DBNTransformer,
    skdeep.StackedAutoencoderTransformer,
]
FAST = dict(hidden_layer_sizes=(16, 9), pretrain_iter=3, max_iter=3, random_state=0)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:300] / 16, y[:300]


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("cls", ESTIMATORS)
def test_training_history_draws_every_phase_on_one_axis(cls, digits):
    model = cls(**FAST).fit(*digits)
    display = TrainingHistoryDisplay.from_estimator(model)
    names = [name for name, _ in display.curves]
    assert names[:2] == ["pretraining layer 1", "pretraining layer 2"]
    assert display.ax_.figure is display.figure_
    line = display.lines_["pretraining layer 2"]
    first = len(model.pretrain_loss_curves_[0])
    assert line.get_xdata()[0] == first + 1  # after layer 1's epochs
    np.testing.assert_allclose(line.get_ydata(), model.pretrain_loss_curves_[1])
    if len(names) > 2:
        np.testing.assert_allclose(
            display.lines_[names[2]].get_ydata(), model.loss_curve_
        )


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_training_history_shows_the_validation_scores_of_early_stopping(digits):
    model = skdeep.DBNClassifier(**FAST | {"max_iter": 5}, early_stopping=True)
    display = TrainingHistoryDisplay.from_estimator(model.fit(*digits))
    scores = display.lines_["validation score"].get_ydata()
    np.testing.assert_allclose(scores, model.validation_scores_)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("layer", [1, 2])
def test_filters_are_the_products_of_the_weights_below(layer, digits):
    model = skdeep.DBNTransformer(**FAST).fit(digits[0])
    _, ax = plt.subplots()
    display = FiltersDisplay.from_estimator(model, layer=layer, n_filters=4, ax=ax)
    assert display.ax_ is ax and display.image_ in ax.get_images()
    product = model.coefs_[0] if layer == 1 else model.coefs_[0] @ model.coefs_[1]
    expected = product[:, 0] / np.abs(product[:, 0]).max()
    np.testing.assert_allclose(display.images[0], expected)
    mosaic = display.image_.get_array()
    np.testing.assert_allclose(mosaic[:8, :8], expected.reshape(8, 8))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize(
    "cls", [skdeep.DBNTransformer, skdeep.StackedAutoencoderTransformer]
)
def test_reconstructions_sit_below_their_rows(cls, digits):
    model = cls(**FAST).fit(digits[0])
    rows = digits[0][:5]
    display = ReconstructionDisplay.from_estimator(model, rows)
    expected = model.inverse_transform(model.transform(rows))
    np.testing.assert_allclose(display.images[5:], expected)
    np.testing.assert_allclose(display.images[:5], rows)
    assert display.n_columns == 5


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_samples_of_a_generative_classifier_are_one_row_per_class(digits):
    model = skdeep.DBNClassifier(**FAST | {"fine_tuning": "up-down"}).fit(*digits)
    display = SamplesDisplay.from_estimator(
        model, n_samples=3, n_gibbs_steps=5, random_state=0
    )
    assert display.images.shape == (30, 64) and display.n_columns == 3
    again = SamplesDisplay.from_estimator(
        model, n_samples=3, n_gibbs_steps=5, random_state=0
    )
    np.testing.assert_array_equal(display.images, again.images)


def test_displays_refuse_an_unfitted_estimator():
    for display in (TrainingHistoryDisplay, FiltersDisplay):
        with pytest.raises(NotFittedError):  # a ValueError
            display.from_estimator(skdeep.DBNClassifier())


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_displays_refuse_an_estimator_of_another_kind(digits):
    other = LogisticRegression(max_iter=50).fit(*digits)
    with pytest.raises(ValueError, match="needs a pretrained stack"):
        FiltersDisplay.from_estimator(other)
    classifier = skdeep.DBNClassifier(**FAST).fit(*digits)
    with pytest.raises(ValueError, match="needs a model that reconstructs"):
        ReconstructionDisplay.from_estimator(classifier, digits[0][:3])
    with pytest.raises(ValueError, match="needs a generative"):
        SamplesDisplay.from_estimator(classifier)
    with pytest.raises(ValueError, match="layers 1 to 2"):
        FiltersDisplay.from_estimator(classifier, layer=3)


def test_image_shapes_are_inferred_for_squares_and_checked_otherwise():
    assert image_shape_of(64) == (8, 8)
    assert image_shape_of(60, (6, 10)) == (6, 10)
    with pytest.raises(ValueError, match="give image_shape"):
        image_shape_of(60)
    with pytest.raises(ValueError, match="holds 64 pixels"):
        image_shape_of(60, (8, 8))


def test_tile_places_images_in_rows_with_a_gap():
    images = np.arange(3 * 4).reshape(3, 4).astype(float)
    mosaic = tile(images, (2, 2), n_columns=2)
    assert mosaic.shape == (5, 5)
    np.testing.assert_array_equal(mosaic[:2, 3:], [[4, 5], [6, 7]])
    assert np.isnan(mosaic[2]).all() and np.isnan(mosaic[3:, 3:]).all()
