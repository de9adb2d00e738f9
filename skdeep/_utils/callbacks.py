"""The task tree of a fit, for scikit-learn's callbacks (``sklearn.callback``).

Every ``fit`` and ``partial_fit`` is a root task whose subtasks are its
phases, each phase's subtasks its epochs::

    fit
    ├── pretraining            (one subtask per layer)
    │   ├── layer 1            (its epochs)
    │   └── layer 2
    ├── fine-tuning            (backprop, end to end, wake-sleep or up-down)
    └── pseudo-labels          (the epochs over every row, with unlabeled rows)

A fine-tuning epoch of the classifiers and regressors hands the callbacks
what a ``fitted_estimator`` snapshot needs (the weights at the epoch's end),
and the data of the call, so that ``ScoringMonitor`` scores every epoch. A
callback whose ``on_fit_task_end`` returns True at an epoch ends that phase
after the epoch, and the fit goes on to the next phase with the model as it
is. Without callbacks the contexts are made and nothing else happens: the
fit is the same, bit for bit.
"""

import functools
import inspect

from sklearn.callback import CallbackSupportMixin

from skdeep._core.xp import asarray, copy


class FitTasks:
    """The root task of one ``fit`` or ``partial_fit`` call and its open
    pretraining task; made by :func:`with_fit_tasks`."""

    def __init__(self, estimator, name, X, y, metadata):
        self.estimator = estimator
        self.data = dict(X=X, y=y, metadata=metadata)
        self.root = estimator._init_callback_context(task_name=name, max_subtasks=None)
        self.root.call_on_fit_task_begin(estimator=estimator, **self.data)
        self.pretraining = None

    def phase(self, name, max_epochs, snapshot=None):
        """The task of a phase (a layer's pretraining: ``name`` "layer k/K"),
        whose subtasks are at most ``max_epochs`` epochs."""
        if name.startswith("layer "):
            if self.pretraining is None:
                n_layers = int(name.split("/")[1])
                self.pretraining = Phase(self, self.root, "pretraining", n_layers)
            return Phase(self, self.pretraining.context, name, max_epochs, snapshot)
        self.end_pretraining()
        return Phase(self, self.root, name, max_epochs, snapshot)

    def end_pretraining(self):
        if self.pretraining is not None:
            self.pretraining.end()
            self.pretraining = None

    def finish(self):
        """End the open pretraining task and the root, the estimator fitted."""
        self.end_pretraining()
        self.root.call_on_fit_task_end(
            estimator=self.estimator, reconstruction_attributes={}, **self.data
        )


class Phase:
    """One phase of a fit as a callback task; its epochs are its subtasks.

    ``snapshot(params) -> dict`` gives the fitted attributes of the model
    at an epoch's end (None: no ``fitted_estimator`` for the callbacks)."""

    def __init__(self, tasks, parent, name, max_subtasks, snapshot=None):
        self.tasks, self.snapshot = tasks, snapshot
        self.context = parent.subcontext(task_name=name, max_subtasks=max_subtasks)
        self.context.call_on_fit_task_begin(estimator=tasks.estimator, **tasks.data)
        self.epoch = None

    def begin_epoch(self):
        self.epoch = self.context.subcontext(task_name="epoch")
        self.epoch.call_on_fit_task_begin(
            estimator=self.tasks.estimator, **self.tasks.data
        )

    def end_epoch(self, params):
        """End the epoch; whether a callback asked to end the phase."""
        attributes = None
        if self.snapshot is not None:
            attributes = functools.partial(self.snapshot, params)
        return self.epoch.call_on_fit_task_end(
            estimator=self.tasks.estimator,
            reconstruction_attributes=attributes,
            **self.tasks.data,
        )

    def end(self):
        self.context.call_on_fit_task_end(
            estimator=self.tasks.estimator, **self.tasks.data
        )


def with_fit_tasks(method):
    """Decorator of ``fit`` and ``partial_fit`` (inside ``_fit_context``,
    which tears the callbacks down): the call is the root task of the
    callbacks' task tree, named after the method."""

    signature = inspect.signature(method)

    @functools.wraps(method)
    def tracked(self, *args, **kwargs):
        arguments = signature.bind(self, *args, **kwargs).arguments
        weights = arguments.get("sample_weight")
        metadata = None if weights is None else {"sample_weight": weights}
        X, y = arguments.get("X"), arguments.get("y")
        self._fit_tasks = FitTasks(self, method.__name__, X, y, metadata)
        try:
            result = method(self, *args, **kwargs)
            self._fit_tasks.finish()
        finally:
            del self._fit_tasks
        return result

    return tracked


class CallbacksMixin(CallbackSupportMixin):
    """``set_callbacks``, and the phases of a fit for the training loops."""

    def _phase(self, name, max_epochs, snapshot=None):
        """The callback task of a phase of the running fit (None outside
        one: a loop then calls no hook)."""
        tasks = getattr(self, "_fit_tasks", None)
        if tasks is None:
            return None
        return tasks.phase(name, max_epochs, snapshot)


# The weights of a supervised model, as fitted attributes.
WEIGHTS = ("coefs_", "intercepts_", "output_coef_", "output_intercept_")


def weights_snapshot(estimator, fitted):
    """snapshot(params) -> the estimator's weight attributes, each array of
    ``fitted`` replaced by a copy of its counterpart in ``params`` (the
    weights being tuned, maybe float32 copies), in the fitted array's
    dtype: a ``fitted_estimator`` that predicts as if the fit stopped
    there."""

    def snapshot(params):
        tuned = {id(f): p for f, p in zip(fitted, params, strict=True)}

        def swap(array):
            p = tuned.get(id(array))
            return array if p is None else asarray(copy(p), array, array.dtype)

        attributes = {}
        for name in WEIGHTS:
            value = getattr(estimator, name)
            attributes[name] = (
                [swap(a) for a in value] if isinstance(value, list) else swap(value)
            )
        return attributes

    return snapshot
