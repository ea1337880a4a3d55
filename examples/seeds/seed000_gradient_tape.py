"""Seed 000 — "Tensorflow2 automatic gradients: tf.GradientTape.gradient()", ported to s2sgrad by
changing the import (and fixing the post's `y * Y` typo). The random inputs of section 5 are the
exact float32 values `tf.random.normal(..., seed=1)` gave TensorFlow (data/seed000_inputs.json)."""

import json
import os

import s2sgrad.tf as tf

# 1. first order
x = tf.constant(3.0)
with tf.GradientTape() as g:
    g.watch(x)
    y = x * x
dy_dx = g.gradient(y, x)
print("dy/dx =", dy_dx.numpy())                       # 6.0

# 2. a persistent tape, several gradients
with tf.GradientTape(persistent=True) as g:
    g.watch(x)
    y = x * x
    z = y * y
dz_dx = g.gradient(z, x)
dy_dx = g.gradient(y, x)
print("dz/dx =", dz_dx.numpy(), " dy/dx =", dy_dx.numpy())   # 108.0 6.0
del g

# 3. second derivative with nested tapes
x = tf.Variable(1.0)
with tf.GradientTape() as t:
    with tf.GradientTape() as t2:
        y = x * x * x
    dy_dx = t2.gradient(y, x)
d2y_dx2 = t.gradient(dy_dx, x)
print("dy/dx =", dy_dx.numpy(), " d2y/dx2 =", d2y_dx2.numpy())   # 3.0 6.0

# ... and with the inner gradient taken after the outer block: the outer tape did not see it
with tf.GradientTape() as t:
    with tf.GradientTape() as t2:
        y = x * x * x
dy_dx = t2.gradient(y, x)
print("d2y/dx2 taken outside:", t.gradient(dy_dx, x))          # None

# 5. MSE and cross-entropy gradients
with open(os.path.join(os.path.dirname(__file__), "data", "seed000_inputs.json")) as f:
    data = json.load(f)

x = tf.constant(data["x"], dtype=tf.float32)     # tf.random.normal([2,4], seed=1)
w = tf.constant(data["w"], dtype=tf.float32)     # tf.random.normal([4,3], seed=1)
b = tf.zeros([3])
y = tf.constant([2, 0])
with tf.GradientTape() as tape:
    tape.watch([w, b])
    prob = tf.nn.softmax(x @ w + b, axis=1)
    loss = tf.reduce_mean(tf.losses.MSE(tf.one_hot(y, depth=3), prob))
grads = tape.gradient(loss, [w, b])
print("MSE gradient w.r.t. w:")
print(grads[0])
print("MSE gradient w.r.t. b:")
print(grads[1])

with tf.GradientTape() as tape:
    tape.watch([w, b])
    logits = x @ w + b
    loss = tf.reduce_mean(tf.losses.categorical_crossentropy(tf.one_hot(y, depth=3), logits))
grads = tape.gradient(loss, [w, b])
print("cross-entropy gradient w.r.t. w:")
print(grads[0])
print("cross-entropy gradient w.r.t. b:")
print(grads[1])
