"""Minibatch optimizers that update a list of parameter arrays in place.

Each optimizer keeps only its own state (velocities, moments), allocated in
the parameters' dtype, and exposes ``update(params, grads)``. The gradient
arrays belong to the optimizer once passed: it may overwrite them (they are
fresh every minibatch), which saves a temporary per parameter.

Every ``FLUSH_EVERY`` steps, both set the entries of the parameters, of
the step's gradients and of their own state that are about to turn
subnormal to zero (see ``flush_subnormals``).
"""

import numpy as np

from skdeep._core.xp import ufunc, xp_of

# Steps between two flushes of numbers about to turn subnormal: often enough
# that a value decaying from the threshold to the subnormal range (60 steps
# at a halving per step in float32) is caught, rarely enough that the flush
# costs nothing.
FLUSH_EVERY = 32


def flush_subnormals(arrays):
    """Set every entry of ``arrays`` smaller in magnitude than the square
    root of the dtype's smallest normal number (1.1e-19 in float32, 1.5e-154
    in float64) to zero, in place, before it turns subnormal.

    The weights of a unit that no row activates, and their moments, decay
    geometrically under weight decay and momentum; a weight near the
    threshold makes a subnormal weight-decay term, and its square a
    subnormal second moment. On an x86 CPU every operation on a subnormal
    number is tens of times slower, and a relu network's fine-tuning epochs
    in float32 slowed many times over as they piled up. A weight, moment or
    velocity this small moves no prediction: zero is the same number to the
    model.
    """
    for a in arrays:
        xp = xp_of(a)
        a[xp.abs(a) < float(np.sqrt(xp.finfo(a.dtype).smallest_normal))] = 0


class SGD:
    """Gradient descent with (optionally Nesterov) momentum.

    v <- momentum * v - lr * g;  p <- p + v   (Nesterov: p <- p + momentum v - lr g)
    """

    def __init__(self, params, learning_rate, momentum=0.9, nesterov=False):
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.nesterov = nesterov
        self.velocities = [xp_of(p).zeros_like(p) for p in params]
        self.t = 0

    def update(self, params, grads):
        """Take one step against ``grads``, in place on ``params``."""
        self.t = getattr(self, "t", 0) + 1  # an unpickled one may have no count
        if self.t % FLUSH_EVERY == 0:
            flush_subnormals([*params, *grads, *self.velocities])
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
        if self.t % FLUSH_EVERY == 0:
            flush_subnormals([*params, *grads, *self.first, *self.second])
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
