"""``auto_params_``: what "auto" resolved to, printed before training and
equal to what the training loops use."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

import skdeep
from skdeep._autoencoder import base as sae_base
from skdeep._dbn import base as dbn_base
from skdeep._heads import fine_tuning

SUPERVISED = [
    skdeep.DBNClassifier,
    skdeep.StackedAutoencoderClassifier,
    skdeep.DBNRegressor,
    skdeep.StackedAutoencoderRegressor,
]
TRANSFORMERS = [skdeep.DBNTransformer, skdeep.StackedAutoencoderTransformer]


def digits():
    X, y = load_digits(return_X_y=True)
    return X / 16, y


def table():
    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.fixture(autouse=True)
def quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def test_a_default_dbn_classifier_on_digits_follows_the_documented_rules():
    """The rules the user guide gives: inputs in [0, 1] of fewer than 100
    features get Bernoulli visibles under rectified hidden units (rate 0.1
    / 10, plateau 0.05), no input dropout and no adversarial step, so
    dropout 0.5; Adam 3e-3; batch n // 20 within [64, 512]."""
    X, y = digits()
    model = skdeep.DBNClassifier(max_iter=1, pretrain_iter=1).fit(X, y)
    assert model.auto_params_ == {
        "visible_units": "bernoulli",
        "hidden_units": "relu",
        "pretrain_learning_rate": [0.01],
        "pretrain_tol": [0.05],
        "batch_size": len(X) // 20,
        "dropout": 0.5,
        "input_dropout": 0.0,
        "adversarial_epsilon": 0.0,
        "learning_rate_init": 3e-3,
    }


def test_a_default_dbn_classifier_on_a_standardized_table():
    """Real-valued inputs: Gaussian visibles under Bernoulli hidden units
    at 0.02 for every epoch (tol 0), dropout 0.5 from 20 features on
    (breast cancer has 30), batch at its floor of 64."""
    X, y = table()
    model = skdeep.DBNClassifier(max_iter=1, pretrain_iter=1).fit(X, y)
    assert model.auto_params_ == {
        "visible_units": "gaussian",
        "hidden_units": "bernoulli",
        "pretrain_learning_rate": [0.02],
        "pretrain_tol": [0.0],
        "batch_size": 64,
        "dropout": 0.5,
        "input_dropout": 0.0,
        "adversarial_epsilon": 0.0,
        "learning_rate_init": 3e-3,
    }


def test_only_parameters_given_as_auto_are_reported():
    X, y = digits()
    model = skdeep.DBNClassifier(
        dropout=0.2, batch_size=32, max_iter=1, pretrain_iter=1
    )
    model.fit(X, y)
    assert (
        "dropout" not in model.auto_params_ and "batch_size" not in model.auto_params_
    )
    assert model.auto_params_["learning_rate_init"] == 3e-3


@pytest.mark.parametrize("cls", SUPERVISED + TRANSFORMERS)
def test_verbose_prints_them_in_one_line_before_training(cls, capsys):
    X, y = digits()
    cls(verbose=1, max_iter=1, pretrain_iter=1).fit(X[:300], y[:300])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"{cls.__name__}: auto settings: ")
    assert "batch_size=" in lines[0]


class Spy:
    """Records the batch sizes and fine-tuning settings the loops use."""

    def __init__(self, monkeypatch):
        self.pretraining, self.tuning, self.steps = [], [], []
        for module in (dbn_base, sae_base):
            monkeypatch.setattr(module, "run_epochs", self._wrap(module.run_epochs))
        original = fine_tuning.fine_tune
        step = fine_tuning.fine_tuning_step

        def fine_tune(*args, **kwargs):
            self.tuning.append(kwargs["batch_size"])
            return original(*args, **kwargs)

        def fine_tuning_step(tuning, rows, T, weights, virtual, settings):
            self.steps.append(settings)
            return step(tuning, rows, T, weights, virtual, settings)

        monkeypatch.setattr(fine_tuning, "fine_tune", fine_tune)
        monkeypatch.setattr(fine_tuning, "fine_tuning_step", fine_tuning_step)

    def _wrap(self, run_epochs):
        def spied(*args, **kwargs):
            if kwargs["label"].startswith("pretraining"):
                self.pretraining.append(kwargs["batch_size"])
            return run_epochs(*args, **kwargs)

        return spied


def _as_phases(batch_size, phases):
    if isinstance(batch_size, dict):
        return [batch_size[p] for p in phases]
    return [batch_size] * len(phases)


@pytest.mark.parametrize("cls", SUPERVISED)
@pytest.mark.parametrize("data", ["digits", "table", "semi-supervised"])
def test_the_reported_settings_are_the_ones_training_uses(cls, data, monkeypatch):
    X, y = table() if data == "table" else digits()
    params = dict(hidden_layer_sizes=(32, 16), max_iter=2, pretrain_iter=1)
    if data == "semi-supervised":
        if cls in SUPERVISED[2:]:
            y = y.astype(float)
        y = np.where(np.arange(len(y)) < 1500, y, -1)  # 1350 fine-tune
        params |= dict(unlabeled_label=-1, early_stopping=True)
        if cls in SUPERVISED[:2]:
            params["pseudo_label_iter"] = 1
    spy = Spy(monkeypatch)
    model = cls(**params).fit(X, y)
    auto = model.auto_params_
    assert spy.pretraining == _as_phases(auto["batch_size"], ["pretraining"] * 2)
    phases = ["fine-tuning", "pseudo-labels"][: len(spy.tuning)]
    assert spy.tuning == _as_phases(auto["batch_size"], phases)
    settings = spy.steps[0]
    assert settings.dropout == auto["dropout"]
    assert settings.input_dropout == auto["input_dropout"]
    assert settings.adversarial_epsilon == auto["adversarial_epsilon"]


@pytest.mark.parametrize("cls", TRANSFORMERS)
def test_partial_fit_reports_the_chunks_settings(cls):
    X, _ = digits()
    model = cls().partial_fit(X[:50])
    assert model.auto_params_["batch_size"] == 50  # a chunk is one minibatch


def test_the_outputs_printed_in_the_user_guide_are_what_fits_give():
    """The doctest examples of the page "Inspecting a fitted model"."""
    import doctest
    from pathlib import Path

    page = Path(__file__).resolve().parents[2] / "doc/user_guide/inspecting.rst"
    result = doctest.testfile(str(page), module_relative=False, verbose=False)
    assert result.attempted >= 2 and result.failed == 0


def test_up_down_reports_its_own_auto_settings():
    """The generative up-down classifier has its own "auto" rules (see
    skdeep._dbn.up_down.AUTO): every layer to the cap, n // 50 rows per
    minibatch within [64, 512], SGD steps of 0.03, Bernoulli hidden units."""
    from skdeep._dbn import up_down

    X, y = digits()
    model = skdeep.DBNClassifier(
        (16,), fine_tuning="up-down", max_iter=1, pretrain_iter=1
    )
    params = model.fit(X, y).auto_params_
    assert params["hidden_units"] == "bernoulli"
    assert params["pretrain_tol"] == [up_down.AUTO["pretrain_tol"]]
    assert params["learning_rate_init"] == up_down.AUTO["learning_rate"]
    assert params["batch_size"] == max(64, min(512, len(X) // 50))
