// Random small models for the oracle tests: a stack of layer specs written as
// .cnn text, plus this file's own (independent of src/check) resolution of the
// arguments and output shapes, so a test can build the IR without the front end
// and cross-check the checker's IR when it has one.
import fc from "fast-check";
import { OP_NAMES, type Layer, type LayerArgs, type Loss, type LossArgs, type Model, type PadMode } from "../../src/ir.ts";

type Pair = [number, number];
type Pad4 = [number, number, number, number];
type PadText = number | Pair | Pad4 | "same" | "valid";

/** One layer as the user writes it: op, label and the written (unresolved) arguments. */
export interface LayerSpec {
  label: string;
  op: LayerArgs["op"];
  /** written arguments, in order; the first is positional when `positional` is set */
  args: [string, number | boolean | string | number[]][];
  positional?: boolean;
}

export interface ModelSpec {
  name: string;
  input: number[];
  rounding?: "floor" | "ceil";
  layers: LayerSpec[];
  loss: LossArgs | null;
}

const span = { file: "random.cnn", line: 1, column: 1, endLine: 1, endColumn: 1, start: 0, end: 0 };

function fmtValue(v: number | boolean | string | number[]): string {
  if (Array.isArray(v)) return `(${v.join(", ")})`;
  return String(v);
}

export function layerText(l: LayerSpec): string {
  const args = l.args.map(([k, v], i) => (i === 0 && l.positional ? fmtValue(v) : `${k}=${fmtValue(v)}`));
  return `${l.label}: ${l.op}${args.length > 0 ? `(${args.join(", ")})` : ""}`;
}

export function modelText(m: ModelSpec): string {
  const lines = [`model ${m.name} {`, `  input [${m.input.join(", ")}]`];
  if (m.rounding) lines.push(`  rounding ${m.rounding}`);
  for (const l of m.layers) lines.push(`  ${layerText(l)}`);
  if (m.loss) lines.push(m.loss.op === "softmax" ? `  loss softmax${crossEntropyOptionsText(m.loss)}` : `  loss svm(margin=${m.loss.margin})`);
  lines.push("}");
  return lines.join("\n") + "\n";
}

/** `(label_smoothing=0.1, weight=(1, 2), …)`, or "" for `loss softmax` with PyTorch's defaults. */
function crossEntropyOptionsText(a: LossArgs & { op: "softmax" }): string {
  const options = [
    a.label_smoothing !== undefined ? `label_smoothing=${a.label_smoothing}` : "",
    a.weight !== undefined ? `weight=(${a.weight.join(", ")})` : "",
    a.ignore_index !== undefined ? `ignore_index=${a.ignore_index}` : "",
    a.reduction !== undefined ? `reduction=${a.reduction}` : "",
  ].filter((o) => o !== "");
  return options.length > 0 ? `(${options.join(", ")})` : "";
}

/** reflect needs pad < size, circular pad ≤ size (docs/language.md#padding-modes); throws otherwise, so the generator draws again. */
function padModeFits(mode: string | undefined, pad: Pad4, H: number, W: number): PadMode | undefined {
  if (mode === undefined || mode === "zeros") return undefined;
  const limit = (size: number) => (mode === "reflect" ? size - 1 : mode === "circular" ? size : Infinity);
  if (pad[0] > limit(H) || pad[1] > limit(H) || pad[2] > limit(W) || pad[3] > limit(W)) throw new Error(`${mode} padding too wide`);
  return mode as PadMode;
}

// ---------------------------------------------------------------------------
// Resolution and shapes, straight from docs/language.md#windows-padding-and-rounding.

const pair = (v: unknown, dflt: Pair): Pair =>
  v === undefined ? dflt : typeof v === "number" ? [v, v] : [(v as number[])[0], (v as number[])[1]];

function arg(l: LayerSpec, name: string): number | boolean | string | number[] | undefined {
  return l.args.find(([k]) => k === name)?.[1];
}

function padOf(v: PadText | undefined, inHW: Pair, stride: Pair, effK: Pair): Pad4 {
  if (v === undefined || v === "valid") return [0, 0, 0, 0];
  if (v === "same") {
    const [th, tw] = [0, 1].map((ax) => {
      const out = Math.ceil(inHW[ax] / stride[ax]);
      return Math.max((out - 1) * stride[ax] + effK[ax] - inHW[ax], 0);
    });
    return [Math.floor(th / 2), th - Math.floor(th / 2), Math.floor(tw / 2), tw - Math.floor(tw / 2)];
  }
  if (typeof v === "number") return [v, v, v, v];
  if (v.length === 2) return [v[0], v[0], v[1], v[1]];
  return [v[0], v[1], v[2], v[3]];
}

/**
 * Output size along one axis, written from ATen's pooling_output_shape (PyTorch):
 * floor((in + P - effK + (ceil ? stride - 1 : 0)) / stride) + 1, and under ceil a last
 * window that would start in the end padding is dropped. So under ceil the first
 * window may be larger than the padded input, by less than the stride. Below 1: no window.
 */
export function outSize(
  inSize: number,
  before: number,
  after: number,
  effK: number,
  stride: number,
  rounding: "floor" | "ceil",
): number {
  const ceil = rounding === "ceil";
  let out = Math.floor((inSize + before + after - effK + (ceil ? stride - 1 : 0)) / stride) + 1;
  if (ceil && (out - 1) * stride >= inSize + before) out--;
  return out;
}

/** Resolves a layer spec against its input shape: IR args, output shape, params, state. */
export function resolveLayer(l: LayerSpec, input: number[], modelRounding: "floor" | "ceil", from = -1): Layer {
  const [C, H, W] = input.length === 3 ? input : [input[0], 1, 1];
  const params: { name: string; shape: number[] }[] = [];
  const state: { name: string; shape: number[] }[] = [];
  let args: LayerArgs;
  let output: number[];
  let macs = 0;
  const name = l.label;
  switch (l.op) {
    case "conv":
    case "maxpool":
    case "avgpool": {
      const kernel = pair(arg(l, "kernel"), [1, 1]);
      const stride = pair(arg(l, "stride"), l.op === "conv" ? [1, 1] : kernel);
      const dilation = pair(arg(l, "dilation"), [1, 1]);
      const effK: Pair = [dilation[0] * (kernel[0] - 1) + 1, dilation[1] * (kernel[1] - 1) + 1];
      const padText = arg(l, "pad") as PadText | undefined;
      const pad = padOf(padText, [H, W], stride, effK);
      const written = arg(l, "rounding") as "floor" | "ceil" | undefined;
      const rounding = written ?? (l.op === "conv" ? "floor" : modelRounding);
      const r = padText === "same" ? "floor" : rounding;
      const OH = outSize(H, pad[0], pad[1], effK[0], stride[0], r);
      const OW = outSize(W, pad[2], pad[3], effK[1], stride[1], r);
      if (padText === "same" && (OH !== Math.ceil(H / stride[0]) || OW !== Math.ceil(W / stride[1])))
        throw new Error("same padding arithmetic");
      if (l.op === "conv") {
        const filters = arg(l, "filters") as number;
        const groups = (arg(l, "groups") as number | undefined) ?? 1;
        const bias = (arg(l, "bias") as boolean | undefined) ?? true;
        const mode = padModeFits(arg(l, "padding_mode") as string | undefined, pad, H, W);
        args = { op: "conv", filters, kernel, stride, pad, dilation, groups, bias, rounding, ...(mode !== undefined ? { padding_mode: mode } : {}) };
        params.push({ name: `${name}.weight`, shape: [filters, C / groups, kernel[0], kernel[1]] });
        if (bias) params.push({ name: `${name}.bias`, shape: [filters] });
        output = [filters, OH, OW];
        macs = filters * OH * OW * (C / groups) * kernel[0] * kernel[1];
      } else if (l.op === "maxpool") {
        args = { op: "maxpool", kernel, stride, pad, rounding };
        output = [C, OH, OW];
      } else {
        const count_pad = (arg(l, "count_pad") as boolean | undefined) ?? true;
        args = { op: "avgpool", kernel, stride, pad, count_pad, rounding };
        output = [C, OH, OW];
      }
      break;
    }
    case "globalavgpool":
      args = { op: "globalavgpool" };
      output = [C];
      break;
    case "pad": {
      const pad = padOf(arg(l, "pad") as PadText, [H, W], [1, 1], [1, 1]);
      const mode = padModeFits(arg(l, "mode") as string | undefined, pad, H, W);
      args = { op: "pad", pad, ...(mode !== undefined ? { mode } : {}) };
      output = [C, H + pad[0] + pad[1], W + pad[2] + pad[3]];
      break;
    }
    case "batchnorm":
    case "layernorm":
    case "groupnorm": {
      const eps = (arg(l, "eps") as number | undefined) ?? 1e-5;
      const features = input[0];
      if (l.op === "batchnorm") {
        args = { op: "batchnorm", eps, momentum: (arg(l, "momentum") as number | undefined) ?? 0.1 };
        state.push(
          { name: `${name}.running_mean`, shape: [features] },
          { name: `${name}.running_var`, shape: [features] },
        );
      } else if (l.op === "layernorm") args = { op: "layernorm", eps };
      else args = { op: "groupnorm", groups: arg(l, "groups") as number, eps };
      params.push({ name: `${name}.weight`, shape: [features] }, { name: `${name}.bias`, shape: [features] });
      output = input;
      break;
    }
    case "affine": {
      const features = arg(l, "features") as number;
      const bias = (arg(l, "bias") as boolean | undefined) ?? true;
      const D = C * H * W;
      args = { op: "affine", features, bias };
      params.push({ name: `${name}.weight`, shape: [features, D] });
      if (bias) params.push({ name: `${name}.bias`, shape: [features] });
      output = [features];
      macs = features * D;
      break;
    }
    case "flatten":
      args = { op: "flatten" };
      output = [C * H * W];
      break;
    case "leakyrelu":
      args = { op: "leakyrelu", alpha: (arg(l, "alpha") as number | undefined) ?? 0.01 };
      output = input;
      break;
    case "dropout":
      args = { op: "dropout", p: (arg(l, "p") as number | undefined) ?? 0.5 };
      output = input;
      break;
    case "relu":
    case "sigmoid":
    case "tanh":
    case "softmax":
      args = { op: l.op };
      output = input;
      break;
    case "convtranspose": {
      // (in − 1)·stride − pad_before − pad_after + dilation·(kernel − 1) + output_pad + 1, per axis
      const filters = arg(l, "filters") as number;
      const kernel = pair(arg(l, "kernel"), [1, 1]);
      const stride = pair(arg(l, "stride"), [1, 1]);
      const dilation = pair(arg(l, "dilation"), [1, 1]);
      const output_pad = pair(arg(l, "output_pad"), [0, 0]);
      const pad = padOf(arg(l, "pad") as PadText | undefined, [H, W], [1, 1], [1, 1]);
      const groups = (arg(l, "groups") as number | undefined) ?? 1;
      const bias = (arg(l, "bias") as boolean | undefined) ?? true;
      const out = (ax: 0 | 1, size: number) =>
        (size - 1) * stride[ax] - pad[2 * ax] - pad[2 * ax + 1] + dilation[ax] * (kernel[ax] - 1) + output_pad[ax] + 1;
      args = { op: "convtranspose", filters, kernel, stride, pad, output_pad, dilation, groups, bias };
      params.push({ name: `${name}.weight`, shape: [C, filters / groups, kernel[0], kernel[1]] });
      if (bias) params.push({ name: `${name}.bias`, shape: [filters] });
      output = [filters, out(0, H), out(1, W)];
      macs = C * H * W * (filters / groups) * kernel[0] * kernel[1];
      break;
    }
    case "upsample": {
      const scale = pair(arg(l, "scale"), [1, 1]);
      args = { op: "upsample", scale, mode: (arg(l, "mode") as "nearest" | "bilinear" | undefined) ?? "nearest" };
      output = [C, H * scale[0], W * scale[1]];
      break;
    }
    case "adaptiveavgpool": {
      const size = pair(arg(l, "size"), [1, 1]);
      args = { op: "adaptiveavgpool", size };
      output = [C, size[0], size[1]];
      break;
    }
    case "globalmaxpool":
      args = { op: "globalmaxpool" };
      output = [C];
      break;
    case "add":
    case "concat":
    case "mul":
      throw new Error("merges resolve with resolveMerge");
    case "prelu": {
      const count = (arg(l, "num_parameters") as number | undefined) ?? 1;
      if (count !== 1 && count !== C) throw new Error("prelu needs 1 or C slopes");
      args = { op: "prelu", num_parameters: count, init: (arg(l, "init") as number | undefined) ?? 0.25 };
      params.push({ name: `${name}.weight`, shape: [count] });
      output = input;
      break;
    }
    case "gelu":
      args = { op: "gelu", approximate: (arg(l, "approximate") as "none" | "tanh" | undefined) ?? "none" };
      output = input;
      break;
    case "instancenorm": {
      if (input.length !== 3 || H * W < 2) throw new Error("instancenorm needs [C, H, W] with H·W > 1");
      const affine = (arg(l, "affine") as boolean | undefined) ?? false;
      args = { op: "instancenorm", eps: (arg(l, "eps") as number | undefined) ?? 1e-5, affine };
      if (affine) params.push({ name: `${name}.weight`, shape: [C] }, { name: `${name}.bias`, shape: [C] });
      output = input;
      break;
    }
    case "relu6":
    case "hardswish":
    case "hardsigmoid":
    case "silu":
    case "selu":
    case "mish":
      args = { op: l.op };
      output = input;
      break;
    case "clamp":
      args = { op: "clamp", min: (arg(l, "min") as number | undefined) ?? -1, max: (arg(l, "max") as number | undefined) ?? 1 };
      output = input;
      break;
    case "elu":
      args = { op: "elu", alpha: (arg(l, "alpha") as number | undefined) ?? 1 };
      output = input;
      break;
    case "softplus":
      args = {
        op: "softplus",
        beta: (arg(l, "beta") as number | undefined) ?? 1,
        threshold: (arg(l, "threshold") as number | undefined) ?? 20,
      };
      output = input;
      break;
    case "layernorm2d":
      if (input.length !== 3) throw new Error("layernorm2d needs [C, H, W]");
      args = { op: "layernorm2d", eps: (arg(l, "eps") as number | undefined) ?? 1e-6 };
      params.push({ name: `${name}.weight`, shape: [C] }, { name: `${name}.bias`, shape: [C] });
      output = input;
      break;
    case "layerscale":
      if (input.length !== 3) throw new Error("layerscale needs [C, H, W]");
      args = { op: "layerscale", init: (arg(l, "init") as number | undefined) ?? 1e-6 };
      // torchvision's CNBlock.layer_scale: the bare name, [C, 1, 1]
      params.push({ name, shape: [C, 1, 1] });
      output = input;
      break;
    case "channelshuffle": {
      const groups = arg(l, "groups") as number;
      if (input.length !== 3 || C % groups !== 0) throw new Error("channelshuffle needs [C, H, W] with groups | C");
      args = { op: "channelshuffle", groups };
      output = input;
      break;
    }
    case "slice": {
      const start = (arg(l, "start") as number | undefined) ?? 0;
      const end = arg(l, "end") as number;
      if (!(start < end && end <= C)) throw new Error("slice out of range");
      args = { op: "slice", start, end };
      output = [end - start, ...input.slice(1)];
      break;
    }
    case "pixelshuffle": {
      const r = arg(l, "factor") as number;
      if (input.length !== 3 || C % (r * r) !== 0) throw new Error("pixelshuffle needs C a multiple of r²");
      args = { op: "pixelshuffle", factor: r };
      output = [C / (r * r), H * r, W * r];
      break;
    }
    case "pixelunshuffle": {
      const r = arg(l, "factor") as number;
      if (input.length !== 3 || H % r !== 0 || W % r !== 0) throw new Error("pixelunshuffle needs H, W multiples of r");
      args = { op: "pixelunshuffle", factor: r };
      output = [C * r * r, H / r, W / r];
      break;
    }
    case "stochasticdepth":
      args = { op: "stochasticdepth", p: arg(l, "p") as number, mode: (arg(l, "mode") as "row" | "batch" | undefined) ?? "row" };
      output = input;
      break;
    case "permute": {
      const dims = arg(l, "dims") as number[];
      if (input.length !== 3) throw new Error("permute needs [C, H, W]");
      args = { op: "permute", dims: [0, dims[1], dims[2], dims[3]] };
      output = [input[dims[1] - 1], input[dims[2] - 1], input[dims[3] - 1]];
      break;
    }
    case "linear": {
      // nn.Linear over the last axis: weight [M, K]
      const features = arg(l, "features") as number;
      const bias = (arg(l, "bias") as boolean | undefined) ?? true;
      const K = input[input.length - 1];
      args = { op: "linear", features, bias };
      params.push({ name: `${name}.weight`, shape: [features, K] });
      if (bias) params.push({ name: `${name}.bias`, shape: [features] });
      output = [...input.slice(0, -1), features];
      macs = features * input.reduce((p, q) => p * q, 1);
      break;
    }
    case "layernormlast": {
      const K = input[input.length - 1];
      args = { op: "layernormlast", eps: (arg(l, "eps") as number | undefined) ?? 1e-5 };
      params.push({ name: `${name}.weight`, shape: [K] }, { name: `${name}.bias`, shape: [K] });
      output = input;
      break;
    }
  }
  return { name, args, from: [from], inputs: [input], input, output, params, state, macs, span, source: layerText(l) };
}

/** The IR of a spec, computed here (not by the checker). */
export function specToModel(m: ModelSpec): Model {
  const layers: Layer[] = [];
  let shape = m.input;
  for (const l of m.layers) {
    const layer = resolveLayer(l, shape, m.rounding ?? "floor", layers.length - 1);
    if (layer.output.some((d) => !(d >= 1))) throw new Error(`bad shape at ${layerText(l)}`);
    layers.push(layer);
    shape = layer.output;
  }
  // the IR leaves options at PyTorch's default out: `reduction=mean` is written but not held
  const args = m.loss?.op === "softmax" && m.loss.reduction === "mean" ? (({ reduction: _, ...rest }) => rest)(m.loss) : m.loss;
  const loss: Loss | null = args ? { args, span, source: "loss" } : null;
  const params = layers.reduce((s, l) => s + l.params.reduce((t, p) => t + p.shape.reduce((a, b) => a * b, 1), 0), 0);
  const macs = layers.reduce((s, l) => s + l.macs, 0);
  return { name: m.name, file: "random.cnn", span, input: m.input, output: shape, layers, loss, params, macs };
}

// ---------------------------------------------------------------------------
// The random generator.

export interface GenOptions {
  /** restrict to these ops (default: all) */
  ops?: LayerArgs["op"][];
  maxLayers?: number;
  /** allow a loss head (default true) */
  loss?: boolean;
  /** write per-layer `rounding=` arguments on pools (default true) */
  layerRounding?: boolean;
}

/** The ops a stack can draw (merges need a graph: see ./graphs.ts). */
export const STACK_OPS = OP_NAMES.filter((op) => op !== "add" && op !== "concat" && op !== "mul");
const ALL_OPS = STACK_OPS;

/** An arbitrary of valid model specs: small spatial sizes, every argument form exercised. */
export function arbModelSpec(name: string, opts: GenOptions = {}): fc.Arbitrary<ModelSpec> {
  return fc.integer({ min: 0, max: 2 ** 31 - 1 }).map((seed) => randomModelSpec(name, seed, opts));
}

/** Deterministic LCG so a seed reproduces a model; fast-check shrinks the seed. */
export function rng(seed: number) {
  let s = seed >>> 0 || 1;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  return {
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)],
    chance: (p: number) => next() < p,
  };
}

export function randomModelSpec(name: string, seed: number, opts: GenOptions = {}): ModelSpec {
  const r = rng(seed);
  // windows (and the transposed conv) are where the arithmetic is subtle: draw them five times as often
  const windows: LayerArgs["op"][] = ["conv", "maxpool", "avgpool", "convtranspose"];
  const ops = opts.ops ?? [...ALL_OPS, ...windows, ...windows, ...windows, ...windows];
  const maxLayers = opts.maxLayers ?? 5;
  const spatial = r.chance(0.85);
  const input = spatial ? [r.int(1, 4), r.int(3, 8), r.int(3, 8)] : [r.int(2, 12)];
  const rounding = r.chance(0.4) ? r.pick(["floor", "ceil", "ceil"] as const) : undefined;
  const spec: ModelSpec = { name, input, rounding, layers: [], loss: null };
  let shape = input;
  const target = r.int(1, maxLayers);
  let attempts = 0;
  while (spec.layers.length < target && attempts++ < 60) {
    const op = r.pick(ops);
    const l = randomLayer(r, op, shape, `L${spec.layers.length + 1}`, opts.layerRounding ?? true);
    if (l === null) continue;
    let layer: Layer;
    try {
      layer = resolveLayer(l, shape, rounding ?? "floor");
    } catch {
      continue;
    }
    if (layer.output.some((d) => !(d >= 1)) || layer.output.reduce((a, b) => a * b, 1) > 600) continue;
    if (poolWindowEmpty(layer)) continue;
    spec.layers.push(l);
    shape = layer.output;
  }
  if (spec.layers.length === 0) spec.layers.push({ label: "L1", op: "tanh", args: [] });
  const lossChoice = opts.loss === false ? 0 : r.int(0, 2);
  if (lossChoice > 0) {
    // softmax also reads [K, H, W] (a class per position) as it is, now and then
    const perPosition = lossChoice === 1 && shape.length === 3 && shape[0] >= 2 && r.chance(0.3);
    let classes = shape[0];
    if (!perPosition && (shape.length === 3 || shape[0] < 2 || r.chance(0.3))) {
      classes = r.int(2, 5);
      spec.layers.push({
        label: `L${spec.layers.length + 1}`,
        op: "affine",
        args: [["features", classes]],
        positional: true,
      });
    }
    spec.loss = lossChoice === 1 ? randomCrossEntropy(r, classes) : { op: "svm", margin: r.pick([1, 0.5, 2]) };
  }
  return spec;
}

/** `loss softmax` with each of nn.CrossEntropyLoss's options now and then (weights > 0: zero weights are test/padding-loss-torch.test.ts's, where labels are chosen). */
function randomCrossEntropy(r: ReturnType<typeof rng>, classes: number): LossArgs {
  const weight = Array.from({ length: classes }, () => r.pick([0.25, 0.5, 1, 2, 3]));
  return {
    op: "softmax",
    ...(r.chance(0.3) ? { label_smoothing: r.pick([0.1, 0.25, 0.5]) } : {}),
    ...(r.chance(0.3) ? { weight } : {}),
    ...(r.chance(0.3) ? { ignore_index: r.pick([0, 1, 255]) } : {}),
    ...(r.chance(0.25) ? { reduction: r.pick(["sum", "mean"] as const) } : {}),
  };
}

/** A ceil-mode window whose cells all lie in padding would be refused by PyTorch; never generate it. */
export function poolWindowEmpty(layer: Layer): boolean {
  const a = layer.args;
  if (a.op !== "maxpool" && a.op !== "avgpool") return false;
  const [, H, W] = layer.input;
  const [, OH, OW] = layer.output;
  return (OH - 1) * a.stride[0] - a.pad[0] >= H || (OW - 1) * a.stride[1] - a.pad[2] >= W;
}

function randomPad(r: ReturnType<typeof rng>, maxH: number, maxW: number, allowSame: boolean): PadText | undefined {
  switch (r.int(0, 5)) {
    case 0:
      return undefined;
    case 1:
      return Math.min(maxH, maxW, r.int(0, 2));
    case 2:
      return [r.int(0, Math.min(maxH, 2)), r.int(0, Math.min(maxW, 2))];
    case 3:
    case 4:
      return [
        r.int(0, Math.min(maxH, 2)),
        r.int(0, Math.min(maxH, 2)),
        r.int(0, Math.min(maxW, 2)),
        r.int(0, Math.min(maxW, 2)),
      ];
    default:
      return allowSame ? "same" : "valid";
  }
}

function kernelText(r: ReturnType<typeof rng>, kh: number, kw: number): number | number[] {
  return kh === kw && r.chance(0.5) ? kh : [kh, kw];
}

export function randomLayer(
  r: ReturnType<typeof rng>,
  op: LayerArgs["op"],
  shape: number[],
  label: string,
  layerRounding: boolean,
): LayerSpec | null {
  const spatial = shape.length === 3;
  const C = shape[0];
  const args: LayerSpec["args"] = [];
  const l: LayerSpec = { label, op, args, positional: r.chance(0.5) };
  switch (op) {
    case "conv": {
      if (!spatial) return null;
      const groups = r.pick([1, 1, 2, 3].filter((g) => C % g === 0));
      const filters = groups * r.int(1, 3);
      args.push(["filters", filters]);
      const kh = r.int(1, 3);
      const kw = r.int(1, 3);
      args.push(["kernel", kernelText(r, kh, kw)]);
      if (r.chance(0.5)) args.push(["stride", kernelText(r, r.int(1, 3), r.int(1, 3))]);
      const pad = randomPad(r, 2, 2, true);
      if (pad !== undefined) args.push(["pad", pad as number]);
      if (r.chance(0.35)) args.push(["dilation", kernelText(r, r.int(1, 2), r.int(1, 2))]);
      if (groups > 1 || r.chance(0.1)) args.push(["groups", groups]);
      if (r.chance(0.2)) args.push(["bias", false]);
      if (r.chance(0.25)) args.push(["padding_mode", r.pick(["reflect", "replicate", "circular", "zeros"])]);
      return l;
    }
    case "maxpool":
    case "avgpool": {
      if (!spatial) return null;
      // now and then a ceil window larger than the whole input along an axis (PyTorch keeps it)
      const huge = layerRounding && r.chance(0.2);
      const kh = huge ? shape[1] + r.int(1, 2) : r.int(1, 3);
      const kw = huge ? Math.max(1, shape[2] + r.int(-1, 2)) : r.int(1, 3);
      args.push(["kernel", kernelText(r, kh, kw)]);
      if (huge) args.push(["stride", kernelText(r, r.int(2, 4), r.int(2, 4))]);
      else if (r.chance(0.6)) args.push(["stride", kernelText(r, r.int(1, 3), r.int(1, 3))]);
      const pad = randomPad(r, Math.floor(kh / 2), Math.floor(kw / 2), !huge);
      if (pad !== undefined) args.push(["pad", pad as number]);
      if (op === "avgpool" && r.chance(0.5)) args.push(["count_pad", r.chance(0.5)]);
      const rounding = huge ? "ceil" : r.pick(["floor", "ceil"]);
      if ((huge || r.chance(0.3)) && layerRounding) args.push(["rounding", rounding]);
      return l;
    }
    case "globalavgpool":
    case "flatten":
      if (!spatial) return null;
      l.positional = false;
      return l;
    case "pad": {
      if (!spatial) return null;
      const pad = randomPad(r, 2, 2, false);
      args.push(["pad", pad === undefined ? 1 : (pad as number)]);
      if (r.chance(0.4)) args.push(["mode", r.pick(["reflect", "replicate", "circular"])]);
      return l;
    }
    case "batchnorm":
      l.positional = false;
      if (r.chance(0.3)) args.push(["momentum", r.pick([0.1, 0.3, 0.9])]);
      if (r.chance(0.3)) args.push(["eps", r.pick([1e-5, 1e-3])]);
      return l;
    case "layernorm":
      l.positional = false;
      if (r.chance(0.3)) args.push(["eps", r.pick([1e-5, 1e-3])]);
      return l;
    case "groupnorm": {
      if (!spatial) return null;
      const divisors = [1, 2, 3, 4].filter((g) => C % g === 0);
      args.push(["groups", r.pick(divisors)]);
      return l;
    }
    case "affine":
      args.push(["features", r.int(1, 6)]);
      if (r.chance(0.2)) args.push(["bias", false]);
      return l;
    case "leakyrelu":
      if (r.chance(0.6)) args.push(["alpha", r.pick([0.01, 0.2, 0.5])]);
      return l;
    case "dropout":
      if (r.chance(0.7)) args.push(["p", r.pick([0.25, 0.5, 0.75])]);
      return l;
    case "relu":
    case "sigmoid":
    case "tanh":
    case "relu6":
    case "hardswish":
    case "hardsigmoid":
    case "silu":
    case "selu":
    case "mish":
      return l;
    case "clamp":
      l.positional = false;
      // bounds the unit-variance inputs cross often: both kinks are reached (the default min is -1;
      // a negative number cannot be written yet)
      if (r.chance(0.7)) args.push(["min", r.pick([0, 0.25, 0.5])]);
      if (r.chance(0.7)) args.push(["max", r.pick([1, 1.5, 2])]);
      return l;
    case "elu":
      if (r.chance(0.6)) args.push(["alpha", r.pick([1, 0.5, 2])]);
      return l;
    case "softplus":
      if (r.chance(0.6)) args.push(["beta", r.pick([1, 2, 0.5])]);
      else l.positional = false;
      // a low threshold puts the switch to the identity among the inputs
      if (r.chance(0.5)) args.push(["threshold", r.pick([20, 1, 2])]);
      return l;
    case "layernorm2d":
      // over 2 channels x̂ = ±1 and the exact dx is 0: f32 would compare rounding noise
      if (!spatial || C < 3) return null;
      l.positional = false;
      if (r.chance(0.3)) args.push(["eps", r.pick([1e-6, 1e-3])]);
      return l;
    case "layerscale":
      if (!spatial) return null;
      if (r.chance(0.5)) args.push(["init", r.pick([1e-6, 0.5])]);
      return l;
    case "channelshuffle": {
      const divisors = [2, 3, 4].filter((g) => C % g === 0);
      if (!spatial || divisors.length === 0) return null;
      args.push(["groups", r.pick(divisors)]);
      return l;
    }
    case "slice": {
      if (C < 2) return null;
      l.positional = false;
      const start = r.int(0, C - 1);
      if (start > 0 || r.chance(0.5)) args.push(["start", start]);
      args.push(["end", r.int(start + 1, C)]);
      return l;
    }
    case "pixelshuffle":
      // C is rarely a multiple of 4 in a random stack: factor 1 (every channel its own 1×1 block) keeps the op drawn
      if (!spatial || (C % 4 !== 0 && r.chance(0.5))) return null;
      args.push(["factor", C % 4 === 0 ? 2 : 1]);
      return l;
    case "pixelunshuffle": {
      const factors = [2, 3].filter((f) => spatial && shape[1] % f === 0 && shape[2] % f === 0);
      if (factors.length === 0) return null;
      args.push(["factor", r.pick(factors)]);
      return l;
    }
    case "stochasticdepth":
      args.push(["p", r.pick([0.25, 0.5, 0, 1])]);
      if (r.chance(0.5)) args.push(["mode", r.pick(["row", "batch"])]);
      return l;
    case "softmax":
      l.positional = false;
      return l;
    case "convtranspose": {
      if (!spatial) return null;
      const groups = r.pick([1, 1, 2, 3].filter((g) => C % g === 0));
      args.push(["filters", groups * r.int(1, 3)]);
      const kernel: Pair = [r.int(1, 3), r.int(1, 3)];
      args.push(["kernel", kernelText(r, kernel[0], kernel[1])]);
      const stride: Pair = r.chance(0.6) ? [r.int(1, 3), r.int(1, 3)] : [1, 1];
      if (stride[0] !== 1 || stride[1] !== 1 || r.chance(0.2)) args.push(["stride", kernelText(r, stride[0], stride[1])]);
      const pad = randomPad(r, 2, 2, false);
      if (pad !== undefined) args.push(["pad", pad as number]);
      const dilation: Pair = r.chance(0.3) ? [r.int(1, 2), r.int(1, 2)] : [1, 1];
      if (dilation[0] !== 1 || dilation[1] !== 1) args.push(["dilation", kernelText(r, dilation[0], dilation[1])]);
      // output_pad < max(stride, dilation) on each axis (PyTorch's rule)
      const limit = [0, 1].map((i) => Math.max(stride[i], dilation[i]) - 1);
      if ((limit[0] > 0 || limit[1] > 0) && r.chance(0.6)) args.push(["output_pad", kernelText(r, r.int(0, limit[0]), r.int(0, limit[1]))]);
      if (groups > 1 || r.chance(0.1)) args.push(["groups", groups]);
      if (r.chance(0.2)) args.push(["bias", false]);
      return l;
    }
    case "upsample":
      if (!spatial) return null;
      args.push(["scale", kernelText(r, r.int(1, 3), r.int(1, 3))]);
      if (r.chance(0.7)) args.push(["mode", r.pick(["nearest", "bilinear", "bilinear"])]);
      return l;
    case "adaptiveavgpool":
      if (!spatial) return null;
      // smaller, equal and larger than the input, divisible or not
      args.push(["size", kernelText(r, r.int(1, shape[1] + 2), r.int(1, shape[2] + 2))]);
      return l;
    case "globalmaxpool":
      if (!spatial) return null;
      l.positional = false;
      return l;
    case "prelu":
      // one shared slope or one per channel; the slopes' values are the test's random parameters
      if (r.chance(0.5)) args.push(["num_parameters", r.pick([1, C])]);
      else l.positional = false;
      if (r.chance(0.3)) args.push(["init", r.pick([0.25, 0.1])]);
      return l;
    case "gelu":
      if (r.chance(0.5)) args.push(["approximate", r.pick(["none", "tanh"])]);
      return l;
    case "instancenorm":
      // over 2 positions x̂ = ±1 and the exact dx is 0: f32 (TF.js) would compare rounding noise
      if (!spatial || shape[1] * shape[2] < 3) return null;
      l.positional = false;
      if (r.chance(0.5)) args.push(["affine", r.chance(0.7)]);
      if (r.chance(0.3)) args.push(["eps", r.pick([1e-5, 1e-3])]);
      return l;
    case "permute":
      if (!spatial) return null;
      args.push(["dims", r.pick([[0, 2, 3, 1], [0, 3, 1, 2], [0, 1, 3, 2], [0, 2, 1, 3], [0, 3, 2, 1]])]);
      return l;
    case "linear":
      args.push(["features", r.int(1, 4)]);
      if (r.chance(0.2)) args.push(["bias", false]);
      return l;
    case "layernormlast":
      // over 2 values x̂ = ±1 and the exact dx is 0: f32 would compare rounding noise
      if (shape[shape.length - 1] < 3) return null;
      l.positional = false;
      if (r.chance(0.3)) args.push(["eps", r.pick([1e-6, 1e-3])]);
      return l;
    case "add":
    case "concat":
    case "mul":
      return null;
  }
}

/**
 * A merge layer over values of the given shapes: add (equal shapes), concat (channels; other dims
 * equal) or mul (equal shapes, or a [C, 1, 1] gate beside [C, H, W]: the output is the largest).
 */
export function resolveMerge(label: string, op: "add" | "concat" | "mul", inputs: number[][], from: number[]): Layer {
  const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
  const [first] = inputs;
  const largest = inputs.reduce((a, b) => (size(b) > size(a) ? b : a));
  const output = op === "add" ? first : op === "mul" ? largest : [inputs.reduce((c, s) => c + s[0], 0), ...first.slice(1)];
  for (const s of inputs) {
    const gate = s.length === 3 && largest.length === 3 && s[0] === largest[0] && s[1] === 1 && s[2] === 1;
    const same =
      op === "add"
        ? s.join() === first.join()
        : op === "mul"
          ? s.join() === largest.join() || gate
          : s.length === first.length && s.slice(1).join() === first.slice(1).join();
    if (!same) throw new Error(`${op} of [${first.join(", ")}] and [${s.join(", ")}]`);
  }
  return {
    name: label,
    args: { op },
    from,
    inputs,
    input: first,
    output,
    params: [],
    state: [],
    macs: 0,
    span,
    source: `${label}: ${op}`,
  };
}

// ---------------------------------------------------------------------------
// Directed cases.

type Arg = [string, number | boolean | string | number[]];
const L = (label: string, op: LayerSpec["op"], ...args: Arg[]): LayerSpec => ({ label, op, args });
const spec = (name: string, input: number[], layers: LayerSpec[], extra: Partial<ModelSpec> = {}): ModelSpec => ({
  name,
  input,
  layers,
  loss: null,
  ...extra,
});

/** Directed cases: the corners a random stack reaches only now and then. */
export const directedSpecs: ModelSpec[] = [
  // ceil: the last window runs past the padding (8 + 2·1 − 3 = 7, 7/2 → 4 windows after the first)
  spec("CeilMax", [2, 8, 8], [L("p", "maxpool", ["kernel", 3], ["stride", 2], ["pad", 1])], { rounding: "ceil" }),
  spec("CeilAvgCountPad", [2, 8, 8], [L("p", "avgpool", ["kernel", 3], ["stride", 2], ["pad", 1])], {
    rounding: "ceil",
  }),
  spec("CeilAvgNoPad", [2, 8, 7], [L("p", "avgpool", ["kernel", 3], ["stride", 2], ["pad", 1], ["count_pad", false])], {
    rounding: "ceil",
  }),
  // ceil: a window that would start in the end padding is dropped (PyTorch)
  spec("CeilDrop", [1, 5, 5], [L("p", "maxpool", ["kernel", 2], ["stride", 2], ["pad", 1]), L("q", "tanh")], {
    rounding: "ceil",
  }),
  spec("CeilDropAvg", [1, 5, 5], [L("p", "avgpool", ["kernel", 2], ["stride", 2], ["pad", 1])], { rounding: "ceil" }),
  // ceil: a window larger than the whole padded input (PyTorch keeps it: it runs past by less than the stride)
  spec("CeilHugeMax", [1, 3, 3], [L("p", "maxpool", ["kernel", 4], ["stride", 2])], { rounding: "ceil" }),
  spec("CeilHugeAvg", [2, 3, 3], [L("p", "avgpool", ["kernel", 4], ["stride", 2], ["rounding", "ceil"])]),
  spec("CeilHugeTall", [1, 3, 8], [L("p", "maxpool", ["kernel", 5], ["stride", 3], ["rounding", "ceil"])]),
  spec("CeilHugePadMax", [3, 1, 1], [L("p", "maxpool", ["kernel", 4], ["stride", 3], ["pad", 1], ["rounding", "ceil"])]),
  spec("CeilHugePadAvg", [2, 2, 4], [L("p", "avgpool", ["kernel", 5], ["stride", 3], ["pad", 1])], { rounding: "ceil" }),
  spec("CeilHugePadAvgReal", [2, 2, 4], [L("p", "avgpool", ["kernel", 5], ["stride", 3], ["pad", 1], ["count_pad", false])], {
    rounding: "ceil",
  }),
  spec(
    "CeilHugeAsym",
    [2, 1, 3],
    [
      L("m", "maxpool", ["kernel", [5, 4]], ["stride", [3, 2]], ["pad", [2, 1, 0, 2]]),
      L("a", "avgpool", ["kernel", [3, 4]], ["stride", [2, 3]], ["pad", [1, 0, 0, 1]], ["count_pad", false]),
      L("b", "avgpool", ["kernel", [4, 3]], ["stride", 2], ["pad", [1, 1, 0, 1]]),
      L("out", "affine", ["features", 3]),
    ],
    { rounding: "ceil", loss: { op: "softmax" } },
  ),
  // `same`: odd total padding puts the extra row/column at the bottom/right
  spec("SameStride", [2, 6, 6], [L("c", "conv", ["filters", 3], ["kernel", 3], ["stride", 2], ["pad", "same"])]),
  spec(
    "SameDilated",
    [2, 5, 6],
    [
      L("c", "conv", ["filters", 2], ["kernel", [2, 3]], ["dilation", [2, 1]], ["pad", "same"]),
      L("m", "maxpool", ["kernel", 2], ["stride", 2], ["pad", "same"]),
    ],
  ),
  // groups, dilation, stride and asymmetric padding together, no bias
  spec(
    "GroupedDilated",
    [3, 9, 8],
    [
      L(
        "c",
        "conv",
        ["filters", 6],
        ["kernel", [3, 2]],
        ["stride", [2, 1]],
        ["dilation", [1, 2]],
        ["pad", [0, 2, 1, 0]],
        ["groups", 3],
        ["bias", false],
      ),
      L("r", "relu"),
      L("a", "avgpool", ["kernel", [2, 3]], ["stride", [1, 2]], ["pad", [1, 0, 1, 1]], ["count_pad", false]),
    ],
  ),
  // depthwise convs (groups = channels = filters; the wasm target's stencil kernel): 3×3 stride 1 with a bias and a row
  // width past whole vectors of 4 (11 = 8 + 3), 5×5 stride 2, then dilation with stride 2 and asymmetric padding whose
  // last input row no window reads (its gradient is 0)
  spec(
    "Depthwise",
    [3, 9, 11],
    [
      L("a", "conv", ["filters", 3], ["kernel", 3], ["pad", 1], ["groups", 3]),
      L("t", "tanh"),
      L("b", "conv", ["filters", 3], ["kernel", 5], ["stride", 2], ["pad", 2], ["groups", 3], ["bias", false]),
    ],
  ),
  // groups whose products are long and wide enough (K = 30·3·3 = 270, 8 filters each) for the wasm target's
  // transposed weight gradient, one group after the other
  spec("GroupedWide", [60, 5, 4], [L("c", "conv", ["filters", 16], ["kernel", 3], ["pad", 1], ["groups", 2]), L("t", "tanh"), L("d", "conv", ["filters", 8], ["kernel", 1], ["stride", 2])]),
  spec("DepthwiseDilated", [2, 10, 9], [L("c", "conv", ["filters", 2], ["kernel", [3, 2]], ["stride", 2], ["dilation", [2, 3]], ["pad", [0, 0, 1, 2]], ["groups", 2])]),
  // norms: batchnorm 4-D and 2-D, groupnorm, layernorm 4-D and 2-D, with a loss and dropout
  spec(
    "Norms",
    [4, 3, 3],
    [
      L("bn", "batchnorm", ["momentum", 0.3]),
      L("gn", "groupnorm", ["groups", 2]),
      L("ln", "layernorm"),
      L("fc", "affine", ["features", 5]),
      L("bn2", "batchnorm"),
      L("ln2", "layernorm", ["eps", 1e-3]),
      L("d", "dropout", ["p", 0.25]),
      L("lr", "leakyrelu", ["alpha", 0.2]),
      L("out", "affine", ["features", 3]),
    ],
    { loss: { op: "svm", margin: 1 } },
  ),
  // transposed conv: stride 2 with pad 1 and output_pad 1 (U-Net's ×2), groups, dilation, asymmetric crop
  spec(
    "ConvTransposeUp",
    [4, 3, 4],
    [
      L("up", "convtranspose", ["filters", 4], ["kernel", 3], ["stride", 2], ["pad", 1], ["output_pad", 1], ["groups", 2]),
      L("r", "relu"),
      L("ct", "convtranspose", ["filters", 3], ["kernel", [2, 3]], ["stride", [1, 2]], ["dilation", [2, 1]], ["pad", [1, 0, 2, 1]], ["output_pad", [1, 0]], ["bias", false]),
    ],
  ),
  // channels and filters past the emitter's blocks of 4 (full blocks plus a remainder), U-Net's kernel 2 stride 2
  spec("ConvTransposeWide", [9, 3, 2], [L("up", "convtranspose", ["filters", 6], ["kernel", 2], ["stride", 2])]),
  // 1×1 convs (the pointwise GEMM kernels): filters, channels and pixels past blocks of 4 (6 = 4 + 2, 5 = 4 + 1, 9 = 8 + 1),
  // then 17·16 = 272 pixels, one full dWeight chunk of 256 and a tail of 16
  spec("Pointwise", [5, 3, 3], [L("a", "conv", ["filters", 6], ["kernel", 1]), L("t", "tanh"), L("b", "conv", ["filters", 5], ["kernel", 1], ["bias", false])]),
  spec("PointwiseChunks", [3, 17, 16], [L("a", "conv", ["filters", 4], ["kernel", 1], ["bias", false]), L("t", "tanh"), L("b", "conv", ["filters", 2], ["kernel", 1])]),
  // strided one-group convs (the column-matrix GEMM): a 7×7/2 stem with pad 3, a 1×1/2 shortcut, asymmetric stride and
  // padding with dilation; filters and column-matrix rows past blocks of 4 and 17·17 = 289 output pixels (a dWeight chunk of 256 and a tail)
  spec("Strided", [3, 13, 11], [
    L("a", "conv", ["filters", 5], ["kernel", 7], ["stride", 2], ["pad", 3]),
    L("t", "tanh"),
    L("b", "conv", ["filters", 6], ["kernel", 1], ["stride", 2], ["bias", false]),
    L("c", "conv", ["filters", 3], ["kernel", [3, 2]], ["stride", [3, 2]], ["dilation", [2, 3]], ["pad", [2, 0, 1, 3]]),
  ]),
  spec("StridedChunks", [1, 33, 33], [L("a", "conv", ["filters", 2], ["kernel", 3], ["stride", 2], ["pad", 1], ["bias", false])]),
  // depthwise convs (one filter per channel): 3×3 and 5×5, stride 1 (gathered dx) and 2 (scattered), padded and not, dilation,
  // odd widths (column tails)
  spec("DepthwiseGatherScatter", [3, 7, 9], [L("a", "conv", ["filters", 3], ["kernel", 3], ["pad", 1], ["groups", 3]), L("t", "tanh"), L("b", "conv", ["filters", 3], ["kernel", 3], ["stride", 2], ["pad", 1], ["groups", 3], ["bias", false])]),
  spec("Depthwise5", [2, 11, 10], [L("a", "conv", ["filters", 2], ["kernel", 5], ["stride", 2], ["pad", 2], ["groups", 2]), L("t", "tanh"), L("b", "conv", ["filters", 2], ["kernel", 5], ["pad", [2, 1, 0, 2]], ["groups", 2])]),
  spec("DepthwiseDilatedTails", [4, 9, 9], [L("a", "conv", ["filters", 4], ["kernel", 3], ["dilation", 2], ["groups", 4]), L("b", "conv", ["filters", 4], ["kernel", [3, 2]], ["stride", [1, 2]], ["groups", 4], ["bias", false]), L("c", "conv", ["filters", 4], ["kernel", 2], ["groups", 4])]),
  // bilinear edges (clamped at both ends), nearest blocks, adaptive windows that overlap, softmax over channels
  spec(
    "Resample",
    [3, 3, 5],
    [
      L("bi", "upsample", ["scale", [3, 2]], ["mode", "bilinear"]),
      L("ne", "upsample", ["scale", [1, 2]]),
      L("ad", "adaptiveavgpool", ["size", [4, 3]]),
      L("sm", "softmax"),
      L("gm", "globalmaxpool"),
      L("out", "affine", ["features", 3]),
    ],
    { loss: { op: "softmax" } },
  ),
  spec(
    "PadSigmoid",
    [2, 3, 4],
    [
      L("pd", "pad", ["pad", [1, 0, 2, 1]]),
      L("s", "sigmoid"),
      L("g", "globalavgpool"),
      L("out", "affine", ["features", 4], ["bias", false]),
    ],
    { loss: { op: "softmax" } },
  ),
  // the mobile layers, each piecewise activation first so the wide inputs (test/reference/data.ts) reach every piece
  spec(
    "Relu6Shuffle",
    [4, 3, 3],
    [
      L("r6", "relu6"),
      L("cs", "channelshuffle", ["groups", 2]),
      L("sl", "slice", ["start", 1], ["end", 4]),
      L("layer_scale", "layerscale", ["init", 0.5]),
      L("out", "affine", ["features", 3]),
    ],
    { loss: { op: "softmax" } },
  ),
  spec("HardswishNorm", [3, 2, 3], [L("hs", "hardswish"), L("ln", "layernorm2d"), L("si", "silu"), L("sp", "softplus", ["beta", 2], ["threshold", 1])]),
  spec("HardsigmoidMish", [2, 3, 2], [L("hsig", "hardsigmoid"), L("m", "mish"), L("e", "elu", ["alpha", 0.5]), L("se", "selu"), L("c", "clamp", ["min", 0.25], ["max", 1.5])]),
  // prelu first (the wide inputs reach both sides), per channel and shared; gelu both forms past ±2.5·√2 (erf's switch)
  spec(
    "PreluGeluInstance",
    [3, 3, 3],
    [
      L("pr", "prelu", ["num_parameters", 3]),
      L("g", "gelu"),
      L("inorm", "instancenorm", ["affine", true]),
      L("gt", "gelu", ["approximate", "tanh"]),
      L("in2", "instancenorm", ["eps", 1e-3]),
      L("pr2", "prelu"),
      L("out", "affine", ["features", 3]),
      L("pv", "prelu", ["num_parameters", 3]),
    ],
    { loss: { op: "softmax" } },
  ),
  // ConvNeXt's channels-last block body: [C, H, W] → [H, W, C], norm and two linears over C, and back
  spec(
    "ChannelsLast",
    [3, 2, 4],
    [
      L("c", "conv", ["filters", 3], ["kernel", 3], ["pad", 1], ["groups", 3]),
      L("p1", "permute", ["dims", [0, 2, 3, 1]]),
      L("ln", "layernormlast", ["eps", 1e-6]),
      L("fc1", "linear", ["features", 5]),
      L("g", "gelu"),
      L("fc2", "linear", ["features", 3], ["bias", false]),
      L("p2", "permute", ["dims", [0, 3, 1, 2]]),
      L("out", "affine", ["features", 3]),
    ],
    { loss: { op: "softmax" } },
  ),
];
