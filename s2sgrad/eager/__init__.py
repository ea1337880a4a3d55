"""TensorFlow-style eager autodiff on the compiler: tensors, variables and the gradient tape."""
