"""Minibatch optimizers that update a list of parameter arrays in place.

Each optimizer keeps only its own state (velocities, moments), allocated in
the parameters' dtype, and exposes ``update(params, grads)``. The gradient
arrays belong to the optimizer once passed: it may overwrite them (they are
fresh every minibatch), which saves a temporary per parameter.
"""

import numpy as np

from skdeep._core.xp import ufunc, xp_of


class SGD:
    """Gradient descent with (optionally Nesterov) momentum.

    v <- momentum * v - lr * g;  p <- p + v   (Nesterov: p <- p + momentum v - lr g)
    """

    def __init__(self, params, learning_rate, momentum=0.9, nesterov=False):
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.nesterov = nesterov
        self.velocities = [xp_of(p).zeros_like(p) for p in params]

    def update(self, params, grads):
        """Take one step against ``grads``, in place on ``params``."""
        lr, mu = self.learning_rate, self.momentum
        for p, g, v in zip(params, grads, self.velocities, strict=True):
            if lr != 1:  # learning_rate=1: gradients that come already scaled
                g *= lr
            v *= mu
            v -= g
            if self.nesterov:
                p += mu * v - g
            else:
                p += v


class Adam:
    """Adam (Kingma & Ba, 2015) with bias-corrected step size.

    m <- b1 m + (1-b1) g;  s <- b2 s + (1-b2) g^2;
    p <- p - lr sqrt(1-b2^t) / (1-b1^t) * m / (sqrt(s) + eps)

    The moments are stored without their (1-b1) and (1-b2) factors
    (``first`` is m / (1-b1), ``second`` is s / (1-b2)), which are folded
    into the step size and epsilon instead: a step then makes 10 passes over
    each parameter's memory, not 12.
    """

    def __init__(self, params, learning_rate, beta_1=0.9, beta_2=0.999, epsilon=1e-8):
        self.learning_rate = learning_rate
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.t = 0
        self.first = [xp_of(p).zeros_like(p) for p in params]
        self.second = [xp_of(p).zeros_like(p) for p in params]
        self.scratch = [xp_of(p).empty_like(p) for p in params]

    def update(self, params, grads):
        """Take one step against ``grads``, in place on ``params``."""
        self.t += 1
        b1, b2 = self.beta_1, self.beta_2
        root = np.sqrt(1 - b2)
        step = float(
            self.learning_rate
            * np.sqrt(1 - b2**self.t)
            / (1 - b1**self.t)
            * (1 - b1)
            / root
        )
        epsilon = float(self.epsilon / root)
        moments = zip(self.first, self.second, self.scratch, strict=True)
        for p, g, (m, s, buf) in zip(params, grads, moments, strict=True):
            # every operation in place: each pass over the weights costs
            # about as much as a small minibatch product
            m *= b1
            m += g
            g = ufunc("multiply", g, g, out=g)  # the gradient is ours to overwrite
            s *= b2
            s += g
            buf = ufunc("sqrt", s, out=buf)
            buf += epsilon
            buf = ufunc("divide", m, buf, out=buf)
            buf *= step
            p -= buf


def make_optimizer(name, params, learning_rate, momentum):
    """The optimizer called ``name`` ("sgd" or "adam") for ``params``."""
    if name == "sgd":
        return SGD(params, learning_rate, momentum=momentum)
    return Adam(params, learning_rate)
