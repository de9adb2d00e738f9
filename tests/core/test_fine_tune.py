import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from skdeep._core.fine_tune import fine_tune, loss_ceiling
from skdeep._core.loops import TrainingDiverged
from skdeep._core.optim import SGD


def _run(
    losses,
    scores=None,
    max_iter=20,
    n_iter_no_change=2,
    tol=1e-3,
    averaging=0.0,
    loss_ceiling=np.inf,
):
    """Drive fine_tune with scripted epoch losses (and validation scores)."""
    params = [np.zeros(1)]
    epoch = iter(range(1000))
    current = {}

    def step(params, batch):
        current["epoch"] = next(epoch)
        return losses[current["epoch"]], [np.array([-1.0])]  # p grows by 1 / epoch

    validation, seen = None, {"scored": []}
    if scores is not None:

        def validation(params):
            seen["scored"].append(float(params[0][0]))
            return scores[len(seen["scored"]) - 1]

    result = fine_tune(
        step,
        params,
        SGD(params, 1.0, momentum=0.0),
        n_samples=1,
        max_iter=max_iter,
        batch_size=1,
        rng=np.random.default_rng(0),
        tol=tol,
        n_iter_no_change=n_iter_no_change,
        validation_score=validation,
        averaging=averaging,
        loss_ceiling=loss_ceiling,
    )
    result.scored = seen["scored"]
    return result, params[0][0]


def test_stops_after_n_iter_no_change_epochs_without_improvement():
    losses = [1.0, 0.5, 0.4999, 0.4998, 0.4997, 0.1]
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        result, _ = _run(losses)
    # epochs 3, 4, 5 improve by less than tol: stop after the third of them
    assert result.loss_curve == losses[:5]
    assert result.converged and result.best_loss == 0.4997


def test_warns_when_max_iter_is_reached():
    with pytest.warns(ConvergenceWarning, match="maximum iterations \\(4\\)"):
        result, _ = _run([4.0, 3.0, 2.0, 1.0], max_iter=4)
    assert not result.converged and len(result.loss_curve) == 4


def test_early_stopping_restores_the_best_validation_weights():
    scores = [0.5, 0.9, 0.8, 0.85, 0.7, 0.95]
    result, final = _run([1.0] * 6, scores=scores)
    assert result.validation_scores == scores[:5]
    assert result.best_validation_score == 0.9
    assert final == 2.0  # parameters of epoch 2, the best one


def test_diverged_epoch_raises():
    with pytest.raises(TrainingDiverged, match="diverged in epoch 3"):
        _run([1.0, 0.5, np.nan, 0.1])


def test_diverged_epoch_with_early_stopping_keeps_the_best_weights():
    """As in MLPClassifier: the best epoch's weights, a NaN score and loss
    for the diverged epoch, and a warning instead of an error."""
    with pytest.warns(ConvergenceWarning, match="diverged in epoch 3"):
        result, final = _run([1.0, 0.5, np.nan, 0.1], scores=[0.5, 0.9, 0.1, 0.1])
    assert result.loss_curve[:2] == [1.0, 0.5] and np.isnan(result.loss_curve[2])
    assert result.validation_scores[:2] == [0.5, 0.9]
    assert np.isnan(result.validation_scores[2]) and len(result.validation_scores) == 3
    assert final == 2.0 and result.diverged


def _moving_average(values, decay):
    """Brute force: a_1 = v_1, a_k = decay * a_(k-1) + (1 - decay) * v_k."""
    average = values[0]
    for value in values[1:]:
        average = decay * average + (1 - decay) * value
    return average


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("decay", [0.5, 0.8])
def test_averaging_hands_back_the_moving_average_of_epoch_weights(decay):
    losses = [4.0, 3.0, 2.0, 1.0, 0.5]  # the weights are 1, 2, ... after each
    result, final = _run(losses, max_iter=5, averaging=decay)
    expected = _moving_average([1.0, 2.0, 3.0, 4.0, 5.0], decay)
    assert final == pytest.approx(expected, rel=1e-12)
    assert result.loss_curve == losses  # the stopping rule is unchanged
    assert _run(losses, max_iter=1, averaging=decay)[1] == 1.0  # one epoch


def test_early_stopping_scores_and_restores_the_average():
    scores = [0.5, 0.9, 0.8, 0.85, 0.7, 0.95]
    result, final = _run([1.0] * 6, scores=scores, averaging=0.5)
    averages = [
        _moving_average([1.0, 2.0, 3.0, 4.0, 5.0][:k], 0.5) for k in range(1, 6)
    ]
    assert result.scored == pytest.approx(averages)
    assert final == pytest.approx(averages[1])  # the average after epoch 2


def test_a_diverged_epoch_raises_with_averaging_too():
    with pytest.raises(TrainingDiverged, match="diverged in epoch 3"):
        _run([1.0, 0.5, np.nan, 0.1], averaging=0.5)


def test_an_epoch_loss_above_the_ceiling_raises_and_restores_the_entry_weights():
    params = [np.zeros(1)]

    def step(params, batch):  # the loss climbs 1, 4, 16, ... as p grows
        return 4.0 ** params[0][0], [np.array([-1.0])]

    with pytest.raises(TrainingDiverged, match="epoch 3.*learning_rate_init"):
        fine_tune(
            step,
            params,
            SGD(params, 1.0, momentum=0.0),
            n_samples=1,
            max_iter=20,
            batch_size=1,
            rng=np.random.default_rng(0),
            tol=1e-3,
            n_iter_no_change=2,
            loss_ceiling=10.0,
        )
    assert params[0][0] == 0.0  # as on entry, not the diverged epoch's


def test_a_loss_at_the_ceiling_is_not_a_divergence():
    with pytest.warns(ConvergenceWarning, match="maximum iterations"):
        result, _ = _run([10.0, 9.0, 8.0], max_iter=3, loss_ceiling=10.0)
    assert result.loss_curve == [10.0, 9.0, 8.0] and not result.diverged


def test_a_loss_above_the_ceiling_with_early_stopping_keeps_the_best_weights():
    with pytest.warns(ConvergenceWarning, match="diverged in epoch 3"):
        result, final = _run(
            [1.0, 0.5, 40.0, 0.1], scores=[0.5, 0.9, 0.1, 0.1], loss_ceiling=10.0
        )
    assert final == 2.0 and result.diverged


@pytest.mark.parametrize("constant_loss, expected", [(2.3, 23.0), (0.5, 10.0)])
def test_the_ceiling_is_ten_times_the_constant_loss_and_at_least_ten(
    constant_loss, expected
):
    assert loss_ceiling(constant_loss) == pytest.approx(expected)
