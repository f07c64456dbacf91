"""A numpy stand-in for the part of torch that cnnc's exported modules use in
eval-mode forward passes, written from PyTorch's documented semantics (and
ATen's pooling_output_shape / avg_pool2d divisor rules). test/export.test.ts runs
the exported modules on it when real torch is absent, to check the export's
wiring (padding order, crops, divisors, flattening, names) against the generated
TypeScript. It is not torch: the real comparison runs where torch is installed."""
import numpy as np

float64 = np.float64


class Tensor(np.ndarray):
    def mean(self, dim=None, **kw):
        return np.asarray(self).mean(axis=dim).view(Tensor)

    def amax(self, dim=None):
        return np.asarray(self).max(axis=dim).view(Tensor)

    def detach(self):
        return self

    def reshape(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = shape[0]
        return np.asarray(self).reshape(shape).view(Tensor)

    def tolist(self):
        return np.asarray(self).tolist()


def tensor(data, dtype=None):
    return np.array(data, dtype=np.float64).view(Tensor)


def as_tensor(a):
    return np.asarray(a, dtype=np.float64).view(Tensor)


def ones_like(x):
    return np.ones_like(np.asarray(x)).view(Tensor)


def flatten(x, start_dim=1):
    x = np.asarray(x)
    return x.reshape(x.shape[:start_dim] + (-1,)).view(Tensor)


def sigmoid(x):
    return (1 / (1 + np.exp(-np.asarray(x)))).view(Tensor)


def tanh(x):
    return np.tanh(np.asarray(x)).view(Tensor)
from_numpy = as_tensor
