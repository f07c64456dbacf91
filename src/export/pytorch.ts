// Checked IR (the models of one .cnn file) → the text of one Python module with an
// equivalent torch `nn.Module` per model. Guarantees: state_dict() keys and shapes
// equal the generated TypeScript's Params/State (plus PyTorch's own
// `num_batches_tracked` per batchnorm, which loadParams ignores), and the forward
// pass follows docs/language.md exactly, including asymmetric and `same` padding, ceil
// rounding and count_pad. Emits no diagnostics (the IR is checked).
import type { ArgsOf, Layer, LayerArgs, LossArgs, Model, OpName, PadMode } from "../ir.ts";
import { commentText } from "../escape/comment.ts";
import { formatCount } from "../render/format.ts";

export interface PytorchExportOptions {
  /** the .cnn path as the user gave it, for comments */
  sourceName: string;
}

// Names a layer attribute cannot take as `self.<name>`: Python keywords, and
// nn.Module's own attributes (a submodule named `train` would be shadowed by the
// method). Such layers are read from _modules; a keyword is registered with
// add_module, an nn.Module attribute by assigning into _modules (add_module
// refuses a name the module already has as an attribute).
const pythonKeywords = new Set(
  "False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield match case type".split(" "),
);
const moduleAttributes = new Set(
  "T_destination add_module apply bfloat16 buffers call_super_init children compile cpu cuda double dump_patches eval extra_repr float forward get_buffer get_extra_state get_parameter get_submodule half ipu load_state_dict loss modules mtia named_buffers named_children named_modules named_parameters parameters register_backward_hook register_buffer register_forward_hook register_forward_pre_hook register_full_backward_hook register_full_backward_pre_hook register_load_state_dict_post_hook register_load_state_dict_pre_hook register_module register_parameter register_state_dict_post_hook register_state_dict_pre_hook requires_grad_ set_extra_state set_submodule share_memory state_dict to to_empty train training type xpu zero_grad input_shape output_shape".split(" "),
);
/** Module-level names of the emitted file that a class must not shadow. */
const fileNames = new Set(["torch", "nn", "F", "svm_loss", "save_safetensors", "load_safetensors", "MODELS", "_put"]);

// a label may hold `-` (torchvision's `block1-0`, docs/language.md#names): such a name is no Python identifier
const isPlainAttribute = (name: string) => /^[A-Za-z][A-Za-z0-9_]*$/.test(name) && !pythonKeywords.has(name) && !moduleAttributes.has(name);
/** Python class names for the models, in order: a keyword or a module-level name gets `_` until it is free. */
function classNames(models: readonly Model[]): string[] {
  const taken = new Set(models.map((m) => m.name));
  return models.map((m) => {
    if (!pythonKeywords.has(m.name) && !fileNames.has(m.name)) return m.name;
    let name = `${m.name}_`;
    while (taken.has(name) || fileNames.has(name)) name += "_";
    taken.add(name);
    return name;
  });
}

/** A float or int literal valid in Python (JS prints 1e-7 and 0.00001, both fine). */
const num = (x: number) => String(x);
const pair = (p: readonly [number, number]) => `(${p[0]}, ${p[1]})`;
const pyBool = (b: boolean) => (b ? "True" : "False");

/** The output size PyTorch computes for a pool with symmetric padding p (its ceil_mode rule included). */
function torchPoolSize(size: number, kernel: number, stride: number, pad: number, ceil: boolean): number {
  const span = size + 2 * pad - kernel;
  let out = (ceil ? Math.ceil(span / stride) : Math.floor(span / stride)) + 1;
  if (ceil && (out - 1) * stride >= size + pad) out--;
  return out;
}

interface LayerCode {
  /** `self.c1 = nn.Conv2d(...)`, or nothing for a functional step */
  init?: string;
  /** the lines of forward(), reading and writing `x` */
  forward: string[];
}

type PoolArgs = Extract<LayerArgs, { op: "maxpool" | "avgpool" }>;
type Pad4 = readonly [number, number, number, number];

/** F.pad takes (left, right, top, bottom); the IR holds (top, bottom, left, right). */
const fPad = (pad: Pad4, value?: string) =>
  `x = F.pad(x, (${pad[2]}, ${pad[3]}, ${pad[0]}, ${pad[1]})${value === undefined ? "" : `, value=${value}`})`;
/** F.pad with a padding mode (docs/language.md#padding-modes): PyTorch's names are ours. */
const fPadMode = (pad: Pad4, mode: PadMode) => `x = F.pad(x, (${pad[2]}, ${pad[3]}, ${pad[0]}, ${pad[1]}), mode=${JSON.stringify(mode)})`;
const symmetric = (pad: Pad4) => pad[0] === pad[1] && pad[2] === pad[3];

/** Pools: symmetric padding goes to the torch module; asymmetric padding is applied first with F.pad. */
function poolCode(layer: Layer, args: PoolArgs, call: string): LayerCode {
  const ceil = args.rounding === "ceil";
  const asymmetric = !symmetric(args.pad);
  const [, h, w] = layer.input as [number, number, number];
  const [, oh, ow] = layer.output as [number, number, number];
  const [top, bottom, left, right] = args.pad;
  const padding: [number, number] = asymmetric ? [0, 0] : [top, left];
  const options = `${pair(args.kernel)}, stride=${pair(args.stride)}, padding=${pair(padding)}, ceil_mode=${pyBool(ceil)}`;
  let init: string;
  let forward: string[];
  if (args.op === "maxpool") {
    init = `nn.MaxPool2d(${options})`;
    // -inf so that padding never wins the max (MaxPool2d's own padding already does this).
    forward = asymmetric ? [fPad(args.pad, 'float("-inf")'), `x = ${call}(x)`] : [`x = ${call}(x)`];
  } else if (!asymmetric) {
    init = `nn.AvgPool2d(${options}, count_include_pad=${pyBool(args.count_pad)})`;
    forward = [`x = ${call}(x)`];
  } else if (args.count_pad) {
    // Explicit zeros are cells of the padded input, which is what count_pad=true divides by.
    init = `nn.AvgPool2d(${options})`;
    forward = [fPad(args.pad), `x = ${call}(x)`];
  } else {
    // count_pad=false: window sums divided by the real input cells each window covers.
    const lrtb = `(${left}, ${right}, ${top}, ${bottom})`;
    init = `nn.AvgPool2d(${options}, divisor_override=1)`;
    forward = [`cells = ${call}(F.pad(torch.ones_like(x[:1, :1]), ${lrtb}))`, `x = ${call}(F.pad(x, ${lrtb})) / cells`];
  }
  const torchH = torchPoolSize(asymmetric ? h + top + bottom : h, args.kernel[0], args.stride[0], padding[0], ceil);
  const torchW = torchPoolSize(asymmetric ? w + left + right : w, args.kernel[1], args.stride[1], padding[1], ceil);
  if (torchH !== oh || torchW !== ow) {
    // PyTorch keeps a ceil-mode window that starts in explicit bottom/right padding; cnnc drops it (docs/language.md#windows-padding-and-rounding).
    forward.push(`x = x[:, :, :${oh}, :${ow}]`);
  }
  return { init, forward };
}

/** nn.CrossEntropyLoss's options as F.cross_entropy's keyword arguments, those at PyTorch's default left out. */
function crossEntropyOptions(a: LossArgs & { op: "softmax" }): string {
  const weight = a.weight !== undefined ? `weight=torch.tensor([${a.weight.map(num).join(", ")}], dtype=logits.dtype, device=logits.device)` : "";
  const options = [
    weight,
    a.ignore_index !== undefined ? `ignore_index=${a.ignore_index}` : "",
    a.reduction !== undefined ? `reduction=${JSON.stringify(a.reduction)}` : "",
    a.label_smoothing !== undefined ? `label_smoothing=${num(a.label_smoothing)}` : "",
  ].filter((o) => o !== "");
  return options.map((o) => `, ${o}`).join("");
}

/** How one op becomes PyTorch: its submodule (if any) and the forward lines that read and write `x`. */
type OpCode<O extends OpName> = (layer: Layer & { args: ArgsOf<O> }, call: string, operands: string[]) => LayerCode;

const same = (call: string): LayerCode["forward"] => [`x = ${call}(x)`];
const fourD = (layer: Layer) => layer.input.length === 3;

/** One entry per op (a mapped type: an op added to the IR without one is a type error). */
const opCodes: { [O in OpName]: OpCode<O> } = {
  conv(layer, call) {
    const args = layer.args;
    const forward: string[] = [];
    let padding = `(${args.pad[0]}, ${args.pad[2]})`;
    if (!symmetric(args.pad)) {
      forward.push(fPad(args.pad));
      padding = "(0, 0)";
    }
    forward.push(`x = ${call}(x)`);
    // nn.Conv2d pads the same on both sides, so an asymmetric reflect/replicate/circular pad is F.pad's
    if (args.padding_mode !== undefined && !symmetric(args.pad)) forward[0] = fPadMode(args.pad, args.padding_mode);
    const mode = args.padding_mode !== undefined ? `, padding_mode=${JSON.stringify(args.padding_mode)}` : "";
    const init =
      `nn.Conv2d(${layer.input[0]!}, ${args.filters}, kernel_size=${pair(args.kernel)}, stride=${pair(args.stride)}, ` +
      `padding=${padding}, dilation=${pair(args.dilation)}, groups=${args.groups}, bias=${pyBool(args.bias)}${mode})`;
    return { init, forward };
  },
  maxpool: (layer, call) => poolCode(layer, layer.args, call),
  avgpool: (layer, call) => poolCode(layer, layer.args, call),
  globalavgpool: () => ({ forward: ["x = x.mean(dim=(2, 3))"] }),
  pad(layer, call) {
    const [t, b, l, r] = layer.args.pad;
    const mode = layer.args.mode;
    // torch has no CircularPad2d module before 2.1: circular padding is F.pad's
    if (mode === "circular") return { forward: [fPadMode(layer.args.pad, mode)] };
    const module = mode === "reflect" ? "ReflectionPad2d" : mode === "replicate" ? "ReplicationPad2d" : "ZeroPad2d";
    return { init: `nn.${module}((${l}, ${r}, ${t}, ${b}))`, forward: same(call) };
  },
  batchnorm: (layer, call) => ({
    init: `nn.BatchNorm${fourD(layer) ? "2d" : "1d"}(${layer.input[0]!}, eps=${num(layer.args.eps)}, momentum=${num(layer.args.momentum)})`,
    forward: same(call),
  }),
  // CS231n's layernorm on [C, H, W]: statistics over (C, H, W), per-channel γ/β = GroupNorm(1, C).
  layernorm: (layer, call) => ({
    init: fourD(layer) ? `nn.GroupNorm(1, ${layer.input[0]!}, eps=${num(layer.args.eps)})` : `nn.LayerNorm(${layer.input[0]!}, eps=${num(layer.args.eps)})`,
    forward: same(call),
  }),
  groupnorm: (layer, call) => ({ init: `nn.GroupNorm(${layer.args.groups}, ${layer.input[0]!}, eps=${num(layer.args.eps)})`, forward: same(call) }),
  affine(layer, call) {
    const d = layer.input.reduce((a, b) => a * b, 1);
    const forward = fourD(layer) ? ["x = torch.flatten(x, 1)", `x = ${call}(x)`] : [`x = ${call}(x)`];
    return { init: `nn.Linear(${d}, ${layer.args.features}, bias=${pyBool(layer.args.bias)})`, forward };
  },
  flatten: (layer) => ({ forward: fourD(layer) ? ["x = torch.flatten(x, 1)"] : [] }),
  relu: () => ({ forward: ["x = F.relu(x)"] }),
  leakyrelu: (layer) => ({ forward: [`x = F.leaky_relu(x, ${num(layer.args.alpha)})`] }),
  sigmoid: () => ({ forward: ["x = torch.sigmoid(x)"] }),
  tanh: () => ({ forward: ["x = torch.tanh(x)"] }),
  dropout: (layer, call) => ({ init: `nn.Dropout(p=${num(layer.args.p)})`, forward: same(call) }),
  convtranspose(layer, call) {
    // ConvTranspose2d crops `padding` from both sides; an asymmetric crop is done by slicing.
    const args = layer.args;
    const [top, , left] = args.pad;
    const sym = symmetric(args.pad);
    const padding = sym ? `(${top}, ${left})` : "(0, 0)";
    const init =
      `nn.ConvTranspose2d(${layer.input[0]!}, ${args.filters}, kernel_size=${pair(args.kernel)}, stride=${pair(args.stride)}, ` +
      `padding=${padding}, output_padding=${pair(args.output_pad)}, groups=${args.groups}, bias=${pyBool(args.bias)}, dilation=${pair(args.dilation)})`;
    const forward = [`x = ${call}(x)`];
    if (!sym) {
      // with padding 0, PyTorch's row u is our row u - top (likewise columns)
      const [, oh, ow] = layer.output as [number, number, number];
      forward.push(`x = x[:, :, ${top}:${top + oh}, ${left}:${left + ow}]`);
    }
    return { init, forward };
  },
  upsample: (layer, call) => ({
    init:
      layer.args.mode === "nearest"
        ? `nn.Upsample(scale_factor=${pair(layer.args.scale)}, mode="nearest")`
        : `nn.Upsample(scale_factor=${pair(layer.args.scale)}, mode="bilinear", align_corners=False)`,
    forward: same(call),
  }),
  adaptiveavgpool: (layer, call) => ({ init: `nn.AdaptiveAvgPool2d(${pair(layer.args.size)})`, forward: same(call) }),
  globalmaxpool: () => ({ forward: ["x = x.amax(dim=(2, 3))"] }),
  softmax: () => ({ forward: ["x = F.softmax(x, dim=1)"] }),
  add: (_layer, _call, operands) => ({ forward: [`x = ${operands.join(" + ")}`] }),
  // channels are dim 1 of NCHW (and the features of [N, D])
  concat: (_layer, _call, operands) => ({ forward: [`x = torch.cat([${operands.join(", ")}], 1)`] }),
  relu6: () => ({ forward: ["x = F.relu6(x)"] }),
  clamp: (layer) => ({ forward: [`x = F.hardtanh(x, ${num(layer.args.min)}, ${num(layer.args.max)})`] }),
  hardswish: () => ({ forward: ["x = F.hardswish(x)"] }),
  hardsigmoid: () => ({ forward: ["x = F.hardsigmoid(x)"] }),
  silu: () => ({ forward: ["x = F.silu(x)"] }),
  elu: (layer) => ({ forward: [`x = F.elu(x, ${num(layer.args.alpha)})`] }),
  selu: () => ({ forward: ["x = F.selu(x)"] }),
  softplus: (layer) => ({ forward: [`x = F.softplus(x, ${num(layer.args.beta)}, ${num(layer.args.threshold)})`] }),
  mish: () => ({ forward: ["x = F.mish(x)"] }),
  // torchvision's LayerNorm2d: nn.LayerNorm over channels, applied channels-last
  layernorm2d: (layer, call) => ({
    init: `nn.LayerNorm(${layer.input[0]!}, eps=${num(layer.args.eps)})`,
    forward: [`x = ${call}(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)`],
  }),
  layerscale: (layer, call) => ({ init: `nn.Parameter(torch.full((${layer.input[0]!}, 1, 1), ${num(layer.args.init)}))`, forward: [`x = x * ${call}`] }),
  channelshuffle: (layer) => ({
    forward: [`x = x.unflatten(1, (${layer.args.groups}, ${layer.input[0]! / layer.args.groups})).transpose(1, 2).flatten(1, 2)`],
  }),
  slice: (layer) => ({ forward: [`x = x[:, ${layer.args.start}:${layer.args.end}]`] }),
  pixelshuffle: (layer) => ({ forward: [`x = F.pixel_shuffle(x, ${layer.args.factor})`] }),
  pixelunshuffle: (layer) => ({ forward: [`x = F.pixel_unshuffle(x, ${layer.args.factor})`] }),
  prelu: (layer, call) => ({ init: `nn.PReLU(${layer.args.num_parameters}, init=${num(layer.args.init)})`, forward: same(call) }),
  gelu: (layer) => ({ forward: [`x = F.gelu(x, approximate="${layer.args.approximate}")`] }),
  // no running statistics (track_running_stats=False, PyTorch's default): the same in train and eval
  instancenorm: (layer, call) => ({
    init: `nn.InstanceNorm2d(${layer.input[0]!}, eps=${num(layer.args.eps)}, affine=${pyBool(layer.args.affine)})`,
    forward: same(call),
  }),
  // a [C, 1, 1] gate broadcasts over H×W as in cnnc
  mul: (_layer, _call, operands) => ({ forward: [`x = ${operands.join(" * ")}`] }),
  permute: (layer) => ({ forward: [`x = x.permute(${layer.args.dims.join(", ")})`] }),
  // nn.Linear and nn.LayerNorm act on the last axis, as these two ops do
  linear: (layer, call) => ({
    init: `nn.Linear(${layer.input[layer.input.length - 1]!}, ${layer.args.features}, bias=${pyBool(layer.args.bias)})`,
    forward: same(call),
  }),
  layernormlast: (layer, call) => ({ init: `nn.LayerNorm(${layer.input[layer.input.length - 1]!}, eps=${num(layer.args.eps)})`, forward: same(call) }),
  stochasticdepth(layer) {
    // torchvision.ops.stochastic_depth, written out so the module needs torch alone
    const args = layer.args;
    const draws = args.mode === "row" ? "[x.shape[0]] + [1] * (x.dim() - 1)" : "[1] * x.dim()";
    const scale = args.p < 1 ? ` / ${num(1 - args.p)}` : "";
    return {
      forward: [
        `if self.training and ${num(args.p)} > 0:  # stochastic depth, mode=${args.mode}`,
        `    x = x * torch.empty(${draws}, dtype=x.dtype, device=x.device).bernoulli_(${num(1 - args.p)})${scale}`,
      ],
    };
  },
};

function layerCode(layer: Layer, call: string, operands: string[]): LayerCode {
  return (opCodes[layer.args.op] as OpCode<OpName>)(layer, call, operands);
}

function shapeComment(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/** Source text on one line (a layer's arguments may span lines). */
const oneLine = (text: string) => text.trim().replace(/\s+/g, " ");

function emitModelClass(model: Model, name: string, sourceName: string): string {
  const init: string[] = [];
  const forward: string[] = [];
  // Values: 0 is the input, i + 1 the output of layer i. `x` holds the latest;
  // a value read other than by the very next layer is also kept as x0 / h<i>.
  const kept = new Set<number>();
  model.layers.forEach((layer, i) => layer.from.forEach((f) => f + 1 !== i && kept.add(f + 1)));
  const variable = (v: number) => (v === 0 ? "x0" : `h${v}`);
  if (kept.has(0)) forward.push("        x0 = x");
  let current = 0;
  model.layers.forEach((layer, i) => {
    const dotted = layer.name.includes(".");
    const plain = !dotted && isPlainAttribute(layer.name);
    const call = plain ? `self.${layer.name}` : dotted ? `self.get_submodule(${JSON.stringify(layer.name)})` : `self._modules[${JSON.stringify(layer.name)}]`;
    const operands = layer.from.map((f) => (f + 1 === current ? "x" : variable(f + 1)));
    const code = layerCode(layer, call, operands);
    const where = `${oneLine(sourceName)}:${layer.span.line}`;
    if (code.init !== undefined) {
      // the statement as written, under the layer's full name (a label in `repeat` gains _i)
      const statement = oneLine(layer.source).replace(/^[A-Za-z_][A-Za-z0-9_]*\s*:\s*/, "");
      init.push(`        # ${commentText(`${layer.name}: ${statement} — ${where}`)}`);
      init.push(
        plain
          ? `        self.${layer.name} = ${code.init}`
          : dotted
            ? `        _put(self, ${JSON.stringify(layer.name)}, ${code.init})`
            : moduleAttributes.has(layer.name)
              ? `        self._modules[${JSON.stringify(layer.name)}] = ${code.init}`
              : `        self.add_module(${JSON.stringify(layer.name)}, ${code.init})`,
      );
    }
    forward.push(`        # ${commentText(layer.name)}: ${layer.args.op} → ${shapeComment(layer.output)}`);
    if (layer.args.op !== "add" && layer.args.op !== "concat" && layer.args.op !== "mul" && operands[0] !== "x") forward.push(`        x = ${operands[0]}`);
    if (code.forward.length === 0) forward.push("        pass  # identity on [D]");
    for (const line of code.forward) forward.push(`        ${line}`);
    current = i + 1;
    if (kept.has(current)) forward.push(`        ${variable(current)} = x`);
  });
  const loss = model.loss?.args;
  const lossMethod =
    loss === undefined
      ? []
      : [
          "",
          "    def loss(self, logits, y):",
          loss.op === "softmax"
            ? `        """Softmax cross-entropy, ${loss.reduction === "sum" ? "summed" : "mean"} over the ${model.output.length > 1 ? "positions (y: [N, H, W] class indices)" : "batch"} (\`loss softmax\`)."""`
            : `        """CS231n multiclass hinge loss, mean over the batch (\`loss svm(margin=${num(loss.margin)})\`)."""`,
          loss.op === "softmax" ? `        return F.cross_entropy(logits, y${crossEntropyOptions(loss)})` : `        return svm_loss(logits, y, margin=${num(loss.margin)})`,
        ];
  return [
    `# ${commentText(`model ${model.name} — ${sourceName}:${model.span.line}`)}`,
    `class ${name}(nn.Module):`,
    `    """${model.name}: input ${shapeComment(model.input)} → output ${shapeComment(model.output)}, ${formatCount(model.params)} parameters."""`,
    "",
    `    input_shape = (${model.input.join(", ")}${model.input.length === 1 ? "," : ""})`,
    "",
    "    def __init__(self):",
    "        super().__init__()",
    ...(init.length > 0 ? init : ["        pass"]),
    "",
    "    def forward(self, x):",
    ...forward,
    "        return x",
    ...lossMethod,
  ].join("\n");
}

const header = (sourceName: string) => `# Generated by cnnc from ${commentText(sourceName)} — do not edit; edit the .cnn and run
# \`cnnc export --pytorch\` again. One nn.Module per model; state_dict() keys and
# shapes equal the generated TypeScript's Params and State (PyTorch adds
# num_batches_tracked to each BatchNorm; loadParams ignores it), so weights move
# across as safetensors: save_safetensors(model, path) here, loadParams(bytes) there.
import torch
import torch.nn as nn
import torch.nn.functional as F


def svm_loss(scores, y, margin=1.0):
    """CS231n multiclass hinge loss: sum over j != y of max(0, s_j - s_y + margin), mean over the batch."""
    correct = scores.gather(1, y.view(-1, 1))
    margins = (scores - correct + margin).clamp(min=0).scatter(1, y.view(-1, 1), 0.0)
    return margins.sum(dim=1).mean()


def save_safetensors(model, path):
    """Writes model.state_dict() (unwrapping DDP) as safetensors, ready for the TypeScript loadParams."""
    from safetensors.torch import save_file

    model = getattr(model, "module", model)
    tensors = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    save_file(tensors, path, metadata={"format": "pt"})


def load_safetensors(model, path):
    """Loads a file written by the TypeScript saveParams (or save_safetensors) into model."""
    from safetensors.torch import load_file

    model = getattr(model, "module", model)
    missing, unexpected = model.load_state_dict(load_file(path), strict=False)
    missing = [k for k in missing if not k.endswith(".num_batches_tracked")]
    if missing or unexpected:
        raise RuntimeError(f"{path}: missing tensors {missing}, unexpected tensors {unexpected}")
    return model`;

/** The Python module for every model of one .cnn file. */
export function exportPytorch(models: readonly Model[], opts: PytorchExportOptions): string {
  const names = classNames(models);
  const classes = models.map((m, i) => emitModelClass(m, names[i]!, opts.sourceName));
  const scoped = models.some((m) => m.layers.some((l) => l.name.includes(".")));
  const put = `def _put(root, path, module):
    """Registers module at a dotted path (layer1.0.conv1), creating plain nn.Module containers on the way,
    so that state_dict() keys are the .cnn names (into _modules: a part may be named like a Module method)."""
    *parents, leaf = path.split(".")
    for name in parents:
        if name not in root._modules:
            root._modules[name] = nn.Module()
        root = root._modules[name]
    root._modules[leaf] = module`;
  const registry = `MODELS = {${models.map((m, i) => `${JSON.stringify(m.name)}: ${names[i]}`).join(", ")}}`;
  return [header(opts.sourceName), ...(scoped ? [put] : []), ...classes, registry].join("\n\n\n") + "\n";
}
