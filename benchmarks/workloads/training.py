"""Seed 001's linear regression trained by gradient descent, three ways, one step at a time:

- `tape_step`: TensorFlow-style, as the seed writes it — Variables, a `GradientTape` block, an
  SGD optimizer applying the gradients (the tape differentiates the block's code with generated
  source);
- `grad_step`: the same loss as a function, differentiated by `s2sgrad.grad`, the update in NumPy;
- `hand_step`: the gradient written by hand in NumPy (what an expert writes for this model).

All three keep float32 parameters, as the seed does; a training run is 10,000 steps.
"""

import time
from typing import Dict

import numpy as np

import s2sgrad as sg
import s2sgrad.tf as tf

LEARNING_RATE = 1e-3
X = np.array([0.0, 0.25, 0.5, 0.75, 1.0], dtype=np.float32)
Y = np.array([0.0, 0.36363637, 0.54545456, 0.8181818, 1.0], dtype=np.float32)


class TapeTraining:
    """The seed's loop body, with its Variables and optimizer."""

    def __init__(self):
        self.X, self.y = tf.constant(X), tf.constant(Y)
        self.a, self.b = tf.Variable(0.0), tf.Variable(0.0)
        self.variables = [self.a, self.b]
        self.optimizer = tf.keras.optimizers.SGD(learning_rate=LEARNING_RATE)

    def step(self):
        a, b, X, y, variables = self.a, self.b, self.X, self.y, self.variables
        with tf.GradientTape() as tape:
            y_pred = a * X + b
            loss = 0.5 * tf.reduce_sum(tf.square(y_pred - y))
        grads = tape.gradient(loss, variables)
        self.optimizer.apply_gradients(grads_and_vars=zip(grads, variables))

    def parameters(self):
        return float(self.a.numpy()), float(self.b.numpy())

    def phases(self, steps: int) -> Dict[str, float]:
        """Seconds per step spent in each part of `step`, over `steps` steps: "block" (entering
        the tape, the block's operations on Tensors and Variables, leaving), "gradient" (the
        request: the generated forward pass run again and the backward pass, with the tape's
        bookkeeping), "optimizer"; and "operations": the block's operations alone, no tape."""
        a, b, X, y, variables = self.a, self.b, self.X, self.y, self.variables
        clock = time.perf_counter
        total = dict.fromkeys(("block", "gradient", "optimizer", "operations"), 0.0)
        for _ in range(steps):
            start = clock()
            with tf.GradientTape() as tape:
                y_pred = a * X + b
                loss = 0.5 * tf.reduce_sum(tf.square(y_pred - y))
            entered = clock()
            grads = tape.gradient(loss, variables)
            asked = clock()
            self.optimizer.apply_gradients(grads_and_vars=zip(grads, variables))
            applied = clock()
            y_pred = a * X + b
            loss = 0.5 * tf.reduce_sum(tf.square(y_pred - y))
            done = clock()
            total["block"] += entered - start
            total["gradient"] += asked - entered
            total["optimizer"] += applied - asked
            total["operations"] += done - applied
        return {name: seconds / steps for name, seconds in total.items()}


def block_loss(a, b, X, y):
    """The seed's block as a function of the values it reads."""
    y_pred = a * X + b
    return 0.5 * tf.reduce_sum(tf.square(y_pred - y))


block_value_and_grad = sg.value_and_grad(block_loss, wrt=(0, 1))


class SubstitutedTraining:
    """A floor for any tape built on generated code: the block's value and gradient from one
    call of generated code (`value_and_grad` of the block written as a function, on the plain
    arrays of the Variables and constants, as a tape that put compiled code in place of its
    block would run it), then the seed's optimizer on the seed's Variables. No tape at all:
    no entry values kept, no request matched, the block's operations not run as written."""

    def __init__(self):
        self.X, self.y = np.asarray(tf.constant(X)), np.asarray(tf.constant(Y))
        self.a, self.b = tf.Variable(0.0), tf.Variable(0.0)
        self.variables = [self.a, self.b]
        self.optimizer = tf.keras.optimizers.SGD(learning_rate=LEARNING_RATE)

    def step(self):
        _, grads = block_value_and_grad(np.asarray(self.a._value), np.asarray(self.b._value),
                                        self.X, self.y)
        self.optimizer.apply_gradients(grads_and_vars=zip(grads, self.variables))

    def parameters(self):
        return float(self.a.numpy()), float(self.b.numpy())


def loss(a, b, X, y):
    y_pred = a * X + b
    return 0.5 * np.sum(np.square(y_pred - y))


loss_grad = sg.grad(loss, wrt=(0, 1))


class GradTraining:
    def __init__(self):
        self.a, self.b = np.float32(0.0), np.float32(0.0)

    def step(self):
        ga, gb = loss_grad(self.a, self.b, X, Y)
        self.a = self.a - np.float32(LEARNING_RATE) * ga
        self.b = self.b - np.float32(LEARNING_RATE) * gb

    def parameters(self):
        return float(self.a), float(self.b)


class HandTraining:
    def __init__(self):
        self.a, self.b = np.float32(0.0), np.float32(0.0)

    def step(self):
        residual = self.a * X + self.b - Y          # d loss / d y_pred
        self.a = self.a - np.float32(LEARNING_RATE) * np.sum(residual * X)
        self.b = self.b - np.float32(LEARNING_RATE) * np.sum(residual)

    def parameters(self):
        return float(self.a), float(self.b)
