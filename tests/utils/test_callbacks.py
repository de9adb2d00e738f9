"""scikit-learn's callbacks on the six estimators: the task tree of every
fit and partial_fit, stop requests, snapshots for ScoringMonitor, and the
callbacks inside GridSearchCV(Pipeline) on two processes."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.callback import ProgressBar, ScoringMonitor
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

import skdeep

ESTIMATORS = [
    skdeep.DBNClassifier,
    skdeep.StackedAutoencoderClassifier,
    skdeep.DBNRegressor,
    skdeep.StackedAutoencoderRegressor,
    skdeep.DBNTransformer,
    skdeep.StackedAutoencoderTransformer,
]
SUPERVISED = ESTIMATORS[:4]


class Recorder:
    """Records every hook call as (hook, task name, task id, parent name,
    whether a fitted_estimator came); asks to stop at the epochs of the
    phases named in ``stop_in``."""

    def __init__(self, stop_in=()):
        self.events, self.stop_in, self.snapshots = [], stop_in, []

    def setup(self, estimator, context):
        self.events.append(("setup",))

    def teardown(self, estimator, context):
        self.events.append(("teardown",))

    def on_fit_task_begin(self, estimator, context, *, X=None, y=None):
        self.events.append(("begin", context.task_name, _parent(context)))

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        self.events.append(("end", context.task_name, _parent(context)))
        if fitted_estimator is not None and context.task_name == "epoch":
            self.snapshots.append(fitted_estimator)
        parent = context.parent
        return context.task_name == "epoch" and parent.task_name in self.stop_in


def _parent(context):
    return None if context.parent is None else context.parent.task_name


def data(n=300):
    X, y = load_digits(return_X_y=True)
    return X[:n] / 16, y[:n]


def make(cls, **params):
    params = dict(hidden_layer_sizes=(16, 8), pretrain_iter=3, random_state=0) | params
    if "max_iter" not in params:
        params["max_iter"] = 4
    return cls(**params)


def tree(events):
    """The task tree the begin/end events describe, checking that they
    nest: [(name, [children])] for each root."""
    stack, roots = [], []
    for event in events:
        if event[0] == "begin":
            node = (event[1], [])
            (stack[-1][1] if stack else roots).append(node)
            stack.append(node)
        elif event[0] == "end":
            assert stack and stack[-1][0] == event[1], f"unbalanced end: {event}"
            stack.pop()
    assert not stack, f"tasks never ended: {[n for n, _ in stack]}"
    return roots


def epochs(node):
    return sum(1 for name, _ in node[1] if name == "epoch")


@pytest.fixture(autouse=True)
def quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_fit_is_a_tree_of_phases_layers_and_epochs(cls):
    X, y = data()
    recorder = Recorder()
    model = make(cls).set_callbacks(recorder)
    model.fit(X, y)
    assert recorder.events[0] == ("setup",) and recorder.events[-1] == ("teardown",)
    [(root, phases)] = tree(recorder.events)
    assert root == "fit"
    pretraining, *rest = phases
    assert pretraining[0] == "pretraining"
    assert [name for name, _ in pretraining[1]] == ["layer 1/2", "layer 2/2"]
    assert [epochs(layer) for layer in pretraining[1]] == model.pretrain_n_iter_
    expected = ["wake-sleep"] if cls is skdeep.DBNTransformer else ["fine-tuning"]
    assert [name for name, _ in rest] == expected
    assert epochs(rest[0]) == len(model.loss_curve_)


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_partial_fit_is_a_tree_too(cls):
    X, y = data()
    recorder = Recorder()
    model = make(cls).set_callbacks(recorder)
    kwargs = {"classes": np.arange(10)} if "Classifier" in cls.__name__ else {}
    model.partial_fit(X, y, **kwargs)
    roots = tree(recorder.events)
    assert [name for name, _ in roots] == ["partial_fit"]
    names = [name for name, _ in roots[0][1]]
    if cls in SUPERVISED:  # one epoch of each layer, then one fine-tuning epoch
        assert names == ["pretraining", "fine-tuning"]
        assert epochs(roots[0][1][1]) == 1
    else:
        assert names == ["pretraining"]
    assert [epochs(layer) for layer in roots[0][1][0][1]] == [1, 1]


def test_semi_supervised_fit_has_a_pseudo_label_phase():
    X, y = data()
    y = np.where(np.arange(len(y)) < 100, y, -1)
    recorder = Recorder()
    model = make(skdeep.DBNClassifier, unlabeled_label=-1, pseudo_label_iter=3)
    model.set_callbacks(recorder).fit(X, y)
    [(_, phases)] = tree(recorder.events)
    assert [name for name, _ in phases] == [
        "pretraining",
        "fine-tuning",
        "pseudo-labels",
    ]
    assert epochs(phases[2]) == 3


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_a_stop_request_in_pretraining_ends_each_layer_after_that_epoch(cls):
    X, y = data()
    model = make(cls).set_callbacks(Recorder(stop_in=("layer 1/2", "layer 2/2")))
    model.fit(X, y)
    assert model.pretrain_n_iter_ == [1, 1]
    assert np.isfinite(
        model.transform(X) if cls not in SUPERVISED else model.predict(X)
    ).all()


@pytest.mark.parametrize("cls", SUPERVISED)
def test_a_stop_request_in_fine_tuning_ends_it_cleanly(cls):
    X, y = data()
    model = make(cls, max_iter=50).set_callbacks(Recorder(stop_in=("fine-tuning",)))
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # not a convergence failure
        model.fit(X, y)
    assert model.n_iter_ == 1
    assert np.isfinite(model.predict(X)).all()


@pytest.mark.parametrize("cls", SUPERVISED)
def test_every_fine_tuning_epoch_hands_a_snapshot_that_predicts(cls):
    """The last epoch's snapshot predicts as the fitted model does (no early
    stopping: the kept weights are the last epoch's average)."""
    X, y = data()
    recorder = Recorder()
    model = make(cls).set_callbacks(recorder).fit(X, y)
    assert len(recorder.snapshots) == model.n_iter_
    assert_array_equal(recorder.snapshots[-1].predict(X), model.predict(X))
    first = recorder.snapshots[0]
    assert first.coefs_[0] is not model.coefs_[0]  # a copy, not the live weights


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_callbacks_change_nothing_in_the_model(cls):
    X, y = data()
    plain = make(cls).fit(X, y)
    watched = make(cls).set_callbacks(Recorder()).fit(X, y)
    method = "transform" if cls not in SUPERVISED else "predict"
    assert_array_equal(getattr(plain, method)(X), getattr(watched, method)(X))


def test_a_fit_that_raises_tears_the_callbacks_down_and_keeps_them():
    X, y = data()
    recorder = Recorder()
    model = make(skdeep.DBNClassifier, learning_rate_init=1e3).set_callbacks(recorder)
    with pytest.raises(ValueError, match="diverged"):
        model.fit(X, y)
    assert recorder.events[-1] == ("teardown",)
    assert model._skl_callbacks[0] is recorder


def test_scoring_monitor_scores_every_fine_tuning_epoch():
    X, y = data()
    monitor = ScoringMonitor(scoring="accuracy")
    model = make(skdeep.DBNClassifier, max_iter=5).set_callbacks(monitor).fit(X, y)
    log = monitor.get_logs().data
    scores = [row["accuracy"] for row in log if row["task_name"] == "epoch"]
    assert len(scores) == model.n_iter_
    assert scores[-1] == pytest.approx(model.score(X, y))


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_progress_bar_and_scoring_monitor_in_a_search_over_a_pipeline(n_jobs, capsys):
    pytest.importorskip("rich")
    X, y = data(200)
    monitor = ScoringMonitor(scoring="accuracy")
    dbn = make(skdeep.DBNClassifier, hidden_layer_sizes=(16,), max_iter=3)
    pipe = make_pipeline(MinMaxScaler(), dbn.set_callbacks(monitor))
    search = GridSearchCV(pipe, {"dbnclassifier__dropout": [0.0, 0.5]}, cv=2)
    search.set_params(n_jobs=n_jobs).set_callbacks(
        ProgressBar(max_propagation_depth=None)
    )
    search.fit(X, y)
    log = monitor.get_logs().data
    # 4 candidate fits and the refit, each 3 fine-tuning epochs and its end
    assert sum(row["task_name"] == "epoch" for row in log) == 5 * 3
    assert "DBNClassifier - fine-tuning" in capsys.readouterr().out
