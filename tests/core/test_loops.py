import numpy as np
import pytest

from skdeep._core.loops import minibatches, plateaued, pretrain_greedy, run_epochs
from skdeep._core.optim import SGD


def test_minibatches_cover_every_index_once():
    batches = list(minibatches(10, 3, np.random.default_rng(0)))
    assert [len(b) for b in batches] == [3, 3, 3, 1]
    assert sorted(np.concatenate(batches)) == list(range(10))


def test_run_epochs_records_sample_weighted_loss_and_trains():
    X = np.arange(10.0)
    params = [np.zeros(1)]

    def step(params, batch):  # mean of (p - x)^2 / 2
        residual = params[0] - X[batch]
        return float(np.mean(residual**2) / 2), [np.array([residual.mean()])]

    curve = run_epochs(
        step,
        params,
        SGD(params, 0.1, momentum=0.0),
        n_samples=10,
        n_epochs=30,
        batch_size=4,
        rng=np.random.default_rng(0),
    )
    assert len(curve.loss) == 30 and curve.monitor == []
    curve = curve.loss
    assert curve[0] == pytest.approx(np.mean(X**2) / 2, rel=0.3)
    assert curve[-1] < curve[0]
    assert params[0][0] == pytest.approx(4.5, abs=0.5)


def test_diverging_run_restores_finite_weights_and_raises():
    params = [np.ones(2)]

    def step(params, batch):  # gradient pushes the weights to overflow
        return float(np.sum(params[0] ** 2)), [-params[0] * 1e200]

    with pytest.raises(ValueError, match="diverged in epoch 2.*non-finite"):
        run_epochs(
            step,
            params,
            SGD(params, 1.0, momentum=0.0),
            n_samples=4,
            n_epochs=5,
            batch_size=4,
            rng=np.random.default_rng(0),
        )
    # the weights of epoch 2's start: after one update of the first epoch
    np.testing.assert_array_equal(params[0], np.ones(2) * (1 + 1e200))


def test_run_epochs_verbose_prints_one_line_per_epoch(capsys):
    params = [np.zeros(1)]
    run_epochs(
        lambda p, b: (1.0, [np.zeros(1)]),
        params,
        SGD(params, 0.1),
        n_samples=3,
        n_epochs=2,
        batch_size=2,
        rng=np.random.default_rng(0),
        label="layer 1/1 ",
        verbose=2,
    )
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3 and lines[1].startswith("layer 1/1 epoch 2/2: loss 1.0")
    assert lines[2].startswith("layer 1/1: 2 of at most 2 epochs, loss 1.0")
    assert lines[2].endswith("stopped: ran all 2 epochs")


def test_pretrain_greedy_feeds_each_layer_the_codes_of_the_one_below():
    seen = []

    def fit_layer(k, inputs):
        seen.append(inputs.copy())
        return k + 10, [float(k)]

    def propagate(k, layer, inputs):
        return inputs * layer

    layers, curves = pretrain_greedy(np.ones((2, 2)), 3, fit_layer, propagate)
    assert layers == [10, 11, 12] and curves == [[0.0], [1.0], [2.0]]
    assert [s[0, 0] for s in seen] == [1, 10, 110]


def test_run_epochs_records_the_monitor_after_every_epoch():
    params = [np.zeros(1)]

    def step(params, batch):
        return 1.0, [np.ones(1)]

    history = run_epochs(
        step,
        params,
        SGD(params, 0.5, momentum=0.0),
        n_samples=2,
        n_epochs=3,
        batch_size=2,
        rng=np.random.default_rng(0),
        monitor=lambda params: float(params[0][0]),
    )
    assert history.monitor == [-0.5, -1.0, -1.5]


@pytest.mark.parametrize(
    "losses, expected",
    [
        ([10.0, 6.0, 5.0, 4.5], False),  # gains 1 and 0.5 of a first gain of 4
        ([10.0, 6.0, 5.9, 5.85], True),  # gains 0.1, 0.05 < 0.05 * 4 = 0.2
        ([10.0, 6.0, 5.9, 5.0], False),  # the last gain is large again
        ([10.0, 6.0, 6.5, 5.9], True),  # gains against the best before: -0.5, 0.1
        ([10.0, 6.0, 5.9], False),  # too few epochs to judge
        ([10.0, 10.0, 10.0, 10.0], False),  # no first gain to compare with
        ([1000.0, 996.0, 995.9, 995.85], True),  # free of scale and floor
    ],
)
def test_plateaued_compares_gains_with_the_first_one(losses, expected):
    assert plateaued(losses, 0.05) is expected


def test_run_epochs_stops_once_the_loss_plateaus():
    """A loss halving towards a floor: tol stops the run early, 0 runs on."""
    X = np.full(8, 3.0)

    def step(params, batch):
        residual = params[0] - X[batch]
        return float(np.mean(residual**2) / 2) + 1.0, [np.array([residual.mean()])]

    def run(tol):
        params = [np.zeros(1)]
        optimizer = SGD(params, 0.3, momentum=0.0)
        rng = np.random.default_rng(0)
        kwargs = dict(n_samples=8, n_epochs=40, batch_size=8, rng=rng, tol=tol)
        return run_epochs(step, params, optimizer, **kwargs).loss

    assert len(run(0.0)) == 40
    stopped = run(0.05)
    assert 4 <= len(stopped) < 40
    assert plateaued(stopped, 0.05) and not plateaued(stopped[:-1], 0.05)
