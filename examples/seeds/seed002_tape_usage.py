"""Seed 002 — "Using tape.gradient in TF2", ported to s2sgrad by changing the import. Demo 4's
gradient penalty is pseudo-code in the post; a faithful version is written out here."""

import numpy as np

import s2sgrad.tf as tf

# Demo 1
x = tf.constant(3.0, dtype=tf.float32)
y = tf.constant(2.0, dtype=tf.float32)
with tf.GradientTape() as g:
    g.watch(x)
    z = x * x
dz_x = g.gradient(z, x)
tf.print(dz_x)                                         # 6

# Demo 2: nested tapes on different variables
with tf.GradientTape() as g:
    g.watch(y)
    with tf.GradientTape() as gg:
        gg.watch(x)
        z = x * y * y
    dz_dx = gg.gradient(z, x)
tf.print(dz_dx)                                        # 4
dzx_y = g.gradient(dz_dx, y)
tf.print(dzx_y)                                        # 4

# ... on the same variable
with tf.GradientTape() as g:
    g.watch(x)
    with tf.GradientTape() as gg:
        gg.watch(x)
        y = x * x
    dy_dx = gg.gradient(y, x)
print(dy_dx)                                           # 6.0
d2y_dx2 = g.gradient(dy_dx, x)
print(d2y_dx2)                                         # 2.0

# Demo 3: two targets, two tapes in one `with`
x = tf.constant(3.0)
y = tf.constant(2.0)
with tf.GradientTape() as g, tf.GradientTape() as f:
    g.watch(x)
    f.watch(y)
    z = x * x + y
    m = y + y * y + x
dz_x = g.gradient(z, x)
dm_y = f.gradient(m, y)
print(dz_x, dm_y)                                      # 6.0 5.0
try:
    g.gradient(z, x)
except RuntimeError as error:
    print("RuntimeError:", error)

# ... or one persistent tape
with tf.GradientTape(persistent=True) as gf:
    gf.watch([x, y])
    z = x * x + y
    m = y + y * y + x
dz_x = gf.gradient(z, x)
dm_y = gf.gradient(m, y)
print(dz_x, dm_y)                                      # 6.0 5.0
del gf

# Demo 4: gradient penalty, written as the post has it: a model object with trainable
# Variables, a penalty function with a tape of its own (the gradient of the critic's output w.r.t.
# its input), called inside an outer tape that differentiates the penalty w.r.t. the model's
# Variables (second order, mixed).
class Critic:
    def __init__(self):
        self.W = tf.Variable(np.array([[0.5, -0.3], [0.2, 0.8]]))
        self.v = tf.Variable(np.array([1.0, -2.0]))

    def __call__(self, x):
        return tf.tanh(x @ self.W) @ self.v

    @property
    def trainable_variables(self):
        return [self.W, self.v]


def gradient_penalty(model_d, pred, tgt):
    intermediate = 0.5 * pred + 0.5 * tgt
    with tf.GradientTape() as tb:
        tb.watch(intermediate)
        output = model_d(intermediate)
    grad = tb.gradient(output, intermediate)
    return tf.reduce_mean(tf.square(tf.sqrt(tf.reduce_sum(tf.square(grad), axis=1)) - 1.0))


model_d = Critic()
pred = tf.constant(np.array([[0.1, 0.4], [-0.3, 0.2]]))
tgt = tf.constant(np.array([[0.3, -0.2], [0.5, 0.6]]))
with tf.GradientTape() as ta:
    gp = gradient_penalty(model_d, pred, tgt)
grad_W, grad_v = ta.gradient(gp, model_d.trainable_variables)
print("gradient penalty:", gp.numpy())
print("d penalty / dW:")
print(grad_W)
print("d penalty / dv:", grad_v)
