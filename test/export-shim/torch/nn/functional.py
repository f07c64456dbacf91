import math
import numpy as np


def _t(a):
    from .. import Tensor
    return np.asarray(a).view(Tensor)


def pad(x, pads, value=0.0):
    l, r, t, b = pads
    return _t(np.pad(np.asarray(x), ((0, 0), (0, 0), (t, b), (l, r)), constant_values=value))


def relu(x):
    return _t(np.maximum(np.asarray(x), 0))


def leaky_relu(x, slope=0.01):
    x = np.asarray(x)
    return _t(np.where(x > 0, x, slope * x))


def _out_size(size, k, s, p, d, ceil):
    # ATen pooling_output_shape
    num = size + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil else 0)
    out = num // s + 1
    if ceil and (out - 1) * s >= size + p:
        out -= 1
    return out


def conv2d(x, w, b, stride, padding, dilation, groups):
    x = np.pad(np.asarray(x), ((0, 0), (0, 0), (padding[0], padding[0]), (padding[1], padding[1])))
    n, c, h, wd = x.shape
    f, cg, kh, kw = w.shape
    oh = (h - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    ow = (wd - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    out = np.zeros((n, f, oh, ow))
    fg = f // groups
    for g in range(groups):
        xs = x[:, g * cg:(g + 1) * cg]
        for i in range(kh):
            for j in range(kw):
                patch = xs[:, :, i * dilation[0]: i * dilation[0] + stride[0] * (oh - 1) + 1: stride[0],
                           j * dilation[1]: j * dilation[1] + stride[1] * (ow - 1) + 1: stride[1]]
                out[:, g * fg:(g + 1) * fg] += np.einsum("nchw,fc->nfhw", patch, w[g * fg:(g + 1) * fg, :, i, j])
    if b is not None:
        out += b.reshape(1, -1, 1, 1)
    return _t(out)


def _windows(size, k, s, p, ceil):
    out = _out_size(size, k, s, p, 1, ceil)
    return [(o * s - p, o * s - p + k) for o in range(out)]


def max_pool2d(x, kernel, stride, padding, ceil_mode):
    x = np.asarray(x)
    rows = _windows(x.shape[2], kernel[0], stride[0], padding[0], ceil_mode)
    cols = _windows(x.shape[3], kernel[1], stride[1], padding[1], ceil_mode)
    out = np.empty(x.shape[:2] + (len(rows), len(cols)))
    for i, (h0, h1) in enumerate(rows):
        for j, (w0, w1) in enumerate(cols):
            out[:, :, i, j] = x[:, :, max(h0, 0):min(h1, x.shape[2]), max(w0, 0):min(w1, x.shape[3])].max(axis=(2, 3))
    return _t(out)


def avg_pool2d(x, kernel, stride, padding, ceil_mode, count_include_pad=True, divisor_override=None):
    x = np.asarray(x)
    H, W = x.shape[2:]
    rows = _windows(H, kernel[0], stride[0], padding[0], ceil_mode)
    cols = _windows(W, kernel[1], stride[1], padding[1], ceil_mode)
    out = np.empty(x.shape[:2] + (len(rows), len(cols)))
    for i, (h0, h1) in enumerate(rows):
        for j, (w0, w1) in enumerate(cols):
            # ATen: the window is first clipped to the padded input, then to the input
            h1p, w1p = min(h1, H + padding[0]), min(w1, W + padding[1])
            pool = (h1p - h0) * (w1p - w0)
            hs, ws, he, we = max(h0, 0), max(w0, 0), min(h1p, H), min(w1p, W)
            total = x[:, :, hs:he, ws:we].sum(axis=(2, 3))
            div = divisor_override if divisor_override else (pool if count_include_pad else (he - hs) * (we - ws))
            out[:, :, i, j] = total / div
    return _t(out)


def conv_transpose2d(x, w, b, stride, padding, output_padding, groups, dilation):
    # each input pixel scatters x * w[c, f] to (i * stride - padding + k * dilation)
    x = np.asarray(x)
    n, c, h, wd = x.shape
    _, fg, kh, kw = w.shape
    oh = (h - 1) * stride[0] - 2 * padding[0] + dilation[0] * (kh - 1) + output_padding[0] + 1
    ow = (wd - 1) * stride[1] - 2 * padding[1] + dilation[1] * (kw - 1) + output_padding[1] + 1
    full = np.zeros((n, fg * groups, oh + 2 * padding[0] + stride[0] * h + dilation[0] * kh, ow + 2 * padding[1] + stride[1] * wd + dilation[1] * kw))
    cg = c // groups
    for g in range(groups):
        for i in range(kh):
            for j in range(kw):
                contrib = np.einsum("nchw,cf->nfhw", x[:, g * cg:(g + 1) * cg], w[g * cg:(g + 1) * cg, :, i, j])
                full[:, g * fg:(g + 1) * fg, i * dilation[0]: i * dilation[0] + stride[0] * h: stride[0],
                     j * dilation[1]: j * dilation[1] + stride[1] * wd: stride[1]] += contrib
    out = full[:, :, padding[0]:padding[0] + oh, padding[1]:padding[1] + ow]
    if b is not None:
        out = out + b.reshape(1, -1, 1, 1)
    return _t(out)


def _source(o, scale, size, mode):
    # nn.Upsample: nearest reads floor(o / scale); bilinear (align_corners=False) reads (o + 0.5) / scale - 0.5, clamped at 0
    if mode == "nearest":
        return [(min(int(o // scale), size - 1), 1.0)]
    s = max((o + 0.5) / scale - 0.5, 0.0)
    lo = int(math.floor(s))
    return [(lo, 1 - (s - lo)), (min(lo + 1, size - 1), s - lo)]


def interpolate(x, scale_factor, mode):
    x = np.asarray(x)
    n, c, h, w = x.shape
    sh, sw = scale_factor
    oh, ow = int(h * sh), int(w * sw)
    out = np.zeros((n, c, oh, ow))
    for i in range(oh):
        for j in range(ow):
            for r, a in _source(i, sh, h, mode):
                for q, b in _source(j, sw, w, mode):
                    out[:, :, i, j] += a * b * x[:, :, r, q]
    return _t(out)


def adaptive_avg_pool2d(x, size):
    # AdaptiveAvgPool2d: output i averages [floor(i * H / OH), ceil((i + 1) * H / OH))
    x = np.asarray(x)
    H, W = x.shape[2:]
    oh, ow = size
    out = np.empty(x.shape[:2] + (oh, ow))
    for i in range(oh):
        for j in range(ow):
            out[:, :, i, j] = x[:, :, (i * H) // oh:-((-(i + 1) * H) // oh), (j * W) // ow:-((-(j + 1) * W) // ow)].mean(axis=(2, 3))
    return _t(out)


def softmax(x, dim):
    x = np.asarray(x)
    e = np.exp(x - x.max(axis=dim, keepdims=True))
    return _t(e / e.sum(axis=dim, keepdims=True))
