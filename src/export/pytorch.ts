// Checked IR (the models of one .cnn file) → the text of one Python module with an
// equivalent torch `nn.Module` per model. Guarantees: state_dict() keys and shapes
// equal the generated TypeScript's Params/State (plus PyTorch's own
// `num_batches_tracked` per batchnorm, which loadParams ignores), and the forward
// pass follows SPEC §1 exactly, including asymmetric and `same` padding, ceil
// rounding and count_pad. Emits no diagnostics (the IR is checked).
import type { Layer, LayerArgs, Model } from "../ir.ts";
import { formatCount } from "../render/format.ts";

export interface PytorchExportOptions {
  /** the .cnn path as the user gave it, for comments */
  sourceName: string;
}

// Names a layer attribute cannot take as `self.<name>`: Python keywords, and
// nn.Module's own attributes (a submodule named `train` would be shadowed by the
// method). Such layers are stored in _modules directly (add_module refuses a name
// that is already an attribute, such as the method `train`) and read from there.
const pythonKeywords = new Set(
  "False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield match case type".split(" "),
);
const moduleAttributes = new Set(
  "T_destination add_module apply bfloat16 buffers call_super_init children compile cpu cuda double dump_patches eval extra_repr float forward get_buffer get_extra_state get_parameter get_submodule half ipu load_state_dict loss modules mtia named_buffers named_children named_modules named_parameters parameters register_backward_hook register_buffer register_forward_hook register_forward_pre_hook register_full_backward_hook register_full_backward_pre_hook register_load_state_dict_post_hook register_load_state_dict_pre_hook register_module register_parameter register_state_dict_post_hook register_state_dict_pre_hook requires_grad_ set_extra_state set_submodule share_memory state_dict to to_empty train training type xpu zero_grad input_shape output_shape".split(" "),
);
/** Module-level names of the emitted file that a class must not shadow. */
const fileNames = new Set(["torch", "nn", "F", "svm_loss", "save_safetensors", "load_safetensors", "MODELS"]);

const isPlainAttribute = (name: string) => !name.startsWith("_") && !pythonKeywords.has(name) && !moduleAttributes.has(name);
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
    // PyTorch keeps a ceil-mode window that starts in explicit bottom/right padding; the SPEC drops it.
    forward.push(`x = x[:, :, :${oh}, :${ow}]`);
  }
  return { init, forward };
}

function layerCode(layer: Layer, call: string): LayerCode {
  const args = layer.args;
  const c = layer.input[0]!;
  const fourD = layer.input.length === 3;
  switch (args.op) {
    case "conv": {
      const forward: string[] = [];
      let padding = `(${args.pad[0]}, ${args.pad[2]})`;
      if (!symmetric(args.pad)) {
        forward.push(fPad(args.pad));
        padding = "(0, 0)";
      }
      forward.push(`x = ${call}(x)`);
      const init =
        `nn.Conv2d(${c}, ${args.filters}, kernel_size=${pair(args.kernel)}, stride=${pair(args.stride)}, ` +
        `padding=${padding}, dilation=${pair(args.dilation)}, groups=${args.groups}, bias=${pyBool(args.bias)})`;
      return { init, forward };
    }
    case "maxpool":
    case "avgpool":
      return poolCode(layer, args, call);
    case "globalavgpool":
      return { forward: ["x = x.mean(dim=(2, 3))"] };
    case "pad":
      return { init: `nn.ZeroPad2d((${args.pad[2]}, ${args.pad[3]}, ${args.pad[0]}, ${args.pad[1]}))`, forward: [`x = ${call}(x)`] };
    case "batchnorm":
      return {
        init: `nn.BatchNorm${fourD ? "2d" : "1d"}(${c}, eps=${num(args.eps)}, momentum=${num(args.momentum)})`,
        forward: [`x = ${call}(x)`],
      };
    case "layernorm":
      // CS231n's layernorm on [C, H, W]: statistics over (C, H, W), per-channel γ/β = GroupNorm(1, C).
      return {
        init: fourD ? `nn.GroupNorm(1, ${c}, eps=${num(args.eps)})` : `nn.LayerNorm(${c}, eps=${num(args.eps)})`,
        forward: [`x = ${call}(x)`],
      };
    case "groupnorm":
      return { init: `nn.GroupNorm(${args.groups}, ${c}, eps=${num(args.eps)})`, forward: [`x = ${call}(x)`] };
    case "affine": {
      const d = layer.input.reduce((a, b) => a * b, 1);
      const forward = fourD ? ["x = torch.flatten(x, 1)", `x = ${call}(x)`] : [`x = ${call}(x)`];
      return { init: `nn.Linear(${d}, ${args.features}, bias=${pyBool(args.bias)})`, forward };
    }
    case "flatten":
      return { forward: fourD ? ["x = torch.flatten(x, 1)"] : [] };
    case "relu":
      return { forward: ["x = F.relu(x)"] };
    case "leakyrelu":
      return { forward: [`x = F.leaky_relu(x, ${num(args.alpha)})`] };
    case "sigmoid":
      return { forward: ["x = torch.sigmoid(x)"] };
    case "tanh":
      return { forward: ["x = torch.tanh(x)"] };
    case "dropout":
      return { init: `nn.Dropout(p=${num(args.p)})`, forward: [`x = ${call}(x)`] };
    case "relu6":
      return { forward: ["x = F.relu6(x)"] };
    case "clamp":
      return { forward: [`x = F.hardtanh(x, ${num(args.min)}, ${num(args.max)})`] };
    case "hardswish":
      return { forward: ["x = F.hardswish(x)"] };
    case "hardsigmoid":
      return { forward: ["x = F.hardsigmoid(x)"] };
    case "silu":
      return { forward: ["x = F.silu(x)"] };
    case "elu":
      return { forward: [`x = F.elu(x, ${num(args.alpha)})`] };
    case "selu":
      return { forward: ["x = F.selu(x)"] };
    case "softplus":
      return { forward: [`x = F.softplus(x, ${num(args.beta)}, ${num(args.threshold)})`] };
    case "mish":
      return { forward: ["x = F.mish(x)"] };
    case "layernorm2d":
      // torchvision's LayerNorm2d: nn.LayerNorm over channels, applied channels-last
      return { init: `nn.LayerNorm(${c}, eps=${num(args.eps)})`, forward: [`x = ${call}(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)`] };
    case "layerscale":
      return { init: `nn.Parameter(torch.full((${c}, 1, 1), ${num(args.init)}))`, forward: [`x = x * ${call}`] };
    case "channelshuffle":
      return { forward: [`x = x.unflatten(1, (${args.groups}, ${c / args.groups})).transpose(1, 2).flatten(1, 2)`] };
    case "slice":
      return { forward: [`x = x[:, ${args.start}:${args.end}]`] };
    case "pixelshuffle":
      return { forward: [`x = F.pixel_shuffle(x, ${args.factor})`] };
    case "pixelunshuffle":
      return { forward: [`x = F.pixel_unshuffle(x, ${args.factor})`] };
    case "stochasticdepth": {
      // torchvision.ops.stochastic_depth, written out so the module needs torch alone
      const draws = args.mode === "row" ? "[x.shape[0]] + [1] * (x.dim() - 1)" : "[1] * x.dim()";
      const scale = args.p < 1 ? ` / ${num(1 - args.p)}` : "";
      return {
        forward: [
          `if self.training and ${num(args.p)} > 0:  # stochastic depth, mode=${args.mode}`,
          `    x = x * torch.empty(${draws}, dtype=x.dtype, device=x.device).bernoulli_(${num(1 - args.p)})${scale}`,
        ],
      };
    }
  }
}

function shapeComment(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/** Source text on one comment line (a layer's arguments may span lines). */
const oneLine = (text: string) => text.trim().replace(/\s+/g, " ");

function emitModelClass(model: Model, name: string, sourceName: string): string {
  const init: string[] = [];
  const forward: string[] = [];
  for (const layer of model.layers) {
    const plain = isPlainAttribute(layer.name);
    // layerscale's init is an nn.Parameter (torchvision's `layer_scale`), the rest are modules
    const table = layer.args.op === "layerscale" ? "_parameters" : "_modules";
    const call = plain ? `self.${layer.name}` : `self.${table}[${JSON.stringify(layer.name)}]`;
    const code = layerCode(layer, call);
    const where = `${oneLine(sourceName)}:${layer.span.line}`;
    if (code.init !== undefined) {
      // the statement as written, under the layer's full name (a label in `repeat` gains _i)
      const statement = oneLine(layer.source).replace(/^[A-Za-z_][A-Za-z0-9_]*\s*:\s*/, "");
      init.push(`        # ${layer.name}: ${statement} — ${where}`);
      init.push(plain ? `        self.${layer.name} = ${code.init}` : `        ${call} = ${code.init}`);
    }
    forward.push(`        # ${oneLine(layer.name)}: ${layer.args.op} → ${shapeComment(layer.output)}`);
    if (code.forward.length === 0) forward.push("        pass  # identity on [D]");
    for (const line of code.forward) forward.push(`        ${line}`);
  }
  const loss = model.loss?.args;
  const lossMethod =
    loss === undefined
      ? []
      : [
          "",
          "    def loss(self, logits, y):",
          loss.op === "softmax"
            ? '        """Softmax cross-entropy, mean over the batch (`loss softmax`)."""'
            : `        """CS231n multiclass hinge loss, mean over the batch (\`loss svm(margin=${num(loss.margin)})\`)."""`,
          loss.op === "softmax" ? "        return F.cross_entropy(logits, y)" : `        return svm_loss(logits, y, margin=${num(loss.margin)})`,
        ];
  return [
    `# model ${model.name} — ${oneLine(sourceName)}:${model.span.line}`,
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

const header = (sourceName: string) => `# Generated by cnnc from ${oneLine(sourceName)} — do not edit; edit the .cnn and run
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
  const registry = `MODELS = {${models.map((m, i) => `${JSON.stringify(m.name)}: ${names[i]}`).join(", ")}}`;
  return [header(opts.sourceName), ...classes, registry].join("\n\n\n") + "\n";
}
