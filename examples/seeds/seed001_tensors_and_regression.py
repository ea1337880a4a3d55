"""Seed 001 — "TF2 tensors, operations, and tf.GradientTape", ported to s2sgrad by changing the
import. The post does not define X and y; its source tutorial uses house prices 2013-2017,
min-max normalised."""

import numpy as np

import s2sgrad.tf as tf

A = tf.constant([[1., 2.], [3., 4.]])
B = tf.constant([[5., 6.], [7., 8.]])
C = tf.add(A, B)         # [[ 6.  8.] [10. 12.]]
D = tf.matmul(A, B)      # [[19. 22.] [43. 50.]]
print(C)
print(D)
print(tf.reduce_sum(A))  # 10.0

x = tf.Variable(initial_value=3.)
with tf.GradientTape() as tape:
    y = tf.square(x)
y_grad = tape.gradient(y, x)
print([y, y_grad])       # 9.0, 6.0

X_raw = np.array([2013, 2014, 2015, 2016, 2017], dtype=np.float32)
y_raw = np.array([12000, 14000, 15000, 16500, 17500], dtype=np.float32)
X = (X_raw - X_raw.min()) / (X_raw.max() - X_raw.min())
y = (y_raw - y_raw.min()) / (y_raw.max() - y_raw.min())

X = tf.constant(X)
y = tf.constant(y)

a = tf.Variable(initial_value=0.)
b = tf.Variable(initial_value=0.)
variables = [a, b]

num_epoch = 10000
optimizer = tf.keras.optimizers.SGD(learning_rate=1e-3)
for e in range(num_epoch):
    with tf.GradientTape() as tape:
        y_pred = a * X + b
        loss = 0.5 * tf.reduce_sum(tf.square(y_pred - y))
    grads = tape.gradient(loss, variables)
    if e == 0:
        print("first epoch: loss", loss.numpy(), "grads", *[g.numpy() for g in grads])
    optimizer.apply_gradients(grads_and_vars=zip(grads, variables))

print(a, b)   # a ≈ 0.97637, b ≈ 0.057565
