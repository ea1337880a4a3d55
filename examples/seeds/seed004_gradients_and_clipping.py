"""Seed 004 — "tf.gradients, compute_gradients, stop_gradient, gradient clipping" (TF1 era), ported
to s2sgrad: `tf.gradients` runs inside `@tf.function` (graph code, as in TensorFlow 2), the TF1
optimizer takes the loss as a function (TensorFlow 2's `compat.v1` in eager mode), and the
session runs become plain calls."""

import s2sgrad.tf as tf


@tf.function
def stopped():
    a = tf.constant(0.)
    b = 2 * a
    return tf.gradients(a + b, [a, b], stop_gradients=[a, b])


@tf.function
def not_stopped():
    a = tf.constant(0.)
    b = 2 * a
    return tf.gradients(a + b, [a, b])


print([float(g) for g in stopped()])        # [1.0, 1.0]
print([float(g) for g in not_stopped()])    # [3.0, 1.0]
try:
    tf.gradients(tf.constant(1.0), [tf.constant(2.0)])
except RuntimeError as error:
    print("RuntimeError:", error)

# compute_gradients and clipping
w = tf.Variable(2.0)
x = tf.Variable(3.0)
loss = lambda: w * x * x   # noqa: E731  (TensorFlow 2 takes the loss as a function)
optimizer = tf.compat.v1.train.GradientDescentOptimizer(0.1)
grads_and_vars = optimizer.compute_gradients(loss, [w, x])
print([(float(g), float(v)) for g, v in grads_and_vars])     # [(9.0, 2.0), (12.0, 3.0)]
for i, (gradient, var) in enumerate(grads_and_vars):
    if gradient is not None:
        grads_and_vars[i] = (tf.clip_by_norm(gradient, 5), var)
print([(float(g), float(v)) for g, v in grads_and_vars])     # [(5.0, 2.0), (5.0, 3.0)]
optimizer.apply_gradients(grads_and_vars)
print("after one step:", w.numpy(), x.numpy())                  # 1.5 2.5

# stop_gradient
x = tf.constant(3.0)
with tf.GradientTape() as tape:
    tape.watch(x)
    y = x * tf.stop_gradient(x)
print("dy/dx with stop_gradient:", tape.gradient(y, x).numpy())  # 3.0

# clip_by_global_norm
clipped, norm = tf.clip_by_global_norm([tf.constant(9.0), tf.constant(12.0), None], 5.0)
print([None if c is None else float(c) for c in clipped], float(norm))   # [3.0, 4.0, None] 15.0
