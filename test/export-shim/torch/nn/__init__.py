import numpy as np
from .. import Tensor, as_tensor
from . import functional as F


class Module:
    def __init__(self):
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "_params", {})
        object.__setattr__(self, "training", True)

    def __setattr__(self, name, value):
        if isinstance(value, Module):
            self._modules[name] = value
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name):
        modules = self.__dict__.get("_modules", {})
        if name in modules:
            return modules[name]
        raise AttributeError(name)

    def get_submodule(self, path):
        # as torch: a dotted path through registered submodules (the export's scoped names, layer1.conv1)
        m = self
        for name in path.split("."):
            m = m._modules[name]
        return m

    def add_module(self, name, module):
        # as torch: a name that is already an attribute (the method `train`, ...) is refused
        if hasattr(self, name) and name not in self._modules:
            raise KeyError(f"attribute '{name}' already exists")
        self._modules[name] = module

    def __call__(self, *args):
        return self.forward(*args)

    def eval(self):
        for m in self._modules.values():
            m.eval()
        object.__setattr__(self, "training", False)
        return self

    def double(self):
        return self

    def state_names(self):
        names = [k for k in self._params]
        for prefix, m in self._modules.items():
            names += [f"{prefix}.{k}" for k in m.state_names()]
        return names

    def load_state_dict(self, sd, strict=True):
        used = set()
        missing = []
        for name in self.state_names():
            path = name.split(".")
            owner = self
            for p in path[:-1]:
                owner = owner._modules[p]
            if name in sd:
                owner._params[path[-1]] = as_tensor(sd[name])
                used.add(name)
            else:
                missing.append(name)
        return missing, [k for k in sd if k not in used]


class _Leaf(Module):
    def __init__(self, names=()):
        super().__init__()
        for n in names:
            self._params[n] = None

    def p(self, name):
        return np.asarray(self._params[name])


class Conv2d(_Leaf):
    def __init__(self, cin, cout, kernel_size, stride, padding, dilation, groups, bias):
        super().__init__(["weight", "bias"] if bias else ["weight"])
        self.args = (stride, padding, dilation, groups)

    def forward(self, x):
        stride, padding, dilation, groups = self.args
        b = self.p("bias") if "bias" in self._params else None
        return F.conv2d(x, self.p("weight"), b, stride, padding, dilation, groups)


class ConvTranspose2d(_Leaf):
    def __init__(self, cin, cout, kernel_size, stride, padding, output_padding, groups, bias, dilation):
        super().__init__(["weight", "bias"] if bias else ["weight"])
        self.args = (stride, padding, output_padding, groups, dilation)

    def forward(self, x):
        b = self.p("bias") if "bias" in self._params else None
        return F.conv_transpose2d(x, self.p("weight"), b, *self.args)


class Upsample(_Leaf):
    def __init__(self, scale_factor, mode="nearest", align_corners=None):
        super().__init__()
        assert mode == "nearest" or align_corners is False, "the shim's bilinear is align_corners=False"
        self.args = (scale_factor, mode)

    def forward(self, x):
        return F.interpolate(x, *self.args)


class AdaptiveAvgPool2d(_Leaf):
    def __init__(self, size):
        super().__init__()
        self.size = size

    def forward(self, x):
        return F.adaptive_avg_pool2d(x, self.size)


class Linear(_Leaf):
    def __init__(self, d, m, bias=True):
        super().__init__(["weight", "bias"] if bias else ["weight"])

    def forward(self, x):
        y = np.asarray(x) @ self.p("weight").T
        if "bias" in self._params:
            y = y + self.p("bias")
        return y.view(Tensor)


class MaxPool2d(_Leaf):
    def __init__(self, kernel, stride, padding, ceil_mode):
        super().__init__()
        self.args = (kernel, stride, padding, ceil_mode)

    def forward(self, x):
        return F.max_pool2d(x, *self.args)


class AvgPool2d(_Leaf):
    def __init__(self, kernel, stride, padding, ceil_mode, count_include_pad=True, divisor_override=None):
        super().__init__()
        self.args = (kernel, stride, padding, ceil_mode, count_include_pad, divisor_override)

    def forward(self, x):
        return F.avg_pool2d(x, *self.args)


class ZeroPad2d(_Leaf):
    def __init__(self, pads):
        super().__init__()
        self.pads = pads

    def forward(self, x):
        return F.pad(x, self.pads)


class Dropout(_Leaf):
    def __init__(self, p=0.5):
        super().__init__()

    def forward(self, x):
        assert not self.training, "the shim runs eval mode only"
        return x


class _BatchNorm(_Leaf):
    def __init__(self, c, eps=1e-5, momentum=0.1):
        super().__init__(["weight", "bias", "running_mean", "running_var", "num_batches_tracked"])
        self.eps = eps

    def forward(self, x):
        assert not self.training, "the shim runs eval mode only"
        x = np.asarray(x)
        shape = (1, -1) + (1,) * (x.ndim - 2)
        r = lambda n: self.p(n).reshape(shape)
        return ((x - r("running_mean")) / np.sqrt(r("running_var") + self.eps) * r("weight") + r("bias")).view(Tensor)


BatchNorm1d = _BatchNorm
BatchNorm2d = _BatchNorm


class GroupNorm(_Leaf):
    def __init__(self, groups, c, eps=1e-5):
        super().__init__(["weight", "bias"])
        self.groups, self.eps = groups, eps

    def forward(self, x):
        x = np.asarray(x)
        n, c = x.shape[:2]
        g = x.reshape(n, self.groups, -1)
        y = ((g - g.mean(axis=2, keepdims=True)) / np.sqrt(g.var(axis=2, keepdims=True) + self.eps)).reshape(x.shape)
        shape = (1, c) + (1,) * (x.ndim - 2)
        return (y * self.p("weight").reshape(shape) + self.p("bias").reshape(shape)).view(Tensor)


class LayerNorm(_Leaf):
    def __init__(self, d, eps=1e-5):
        super().__init__(["weight", "bias"])
        self.eps = eps

    def forward(self, x):
        x = np.asarray(x)
        y = (x - x.mean(axis=-1, keepdims=True)) / np.sqrt(x.var(axis=-1, keepdims=True) + self.eps)
        return (y * self.p("weight") + self.p("bias")).view(Tensor)
