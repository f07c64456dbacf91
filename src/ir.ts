// Checked IR: the checker's output and the only thing later phases (emit,
// summary, draw, export) read. A zod schema, so it is validated at the phase
// boundary (a failure there is a compiler bug, not the user's) and
// JSON-serialisable (`cnnc build --emit ir`).
import * as z from "zod";

// A compile validates each model once: zod's generated fast path costs more to
// build than it saves (about three times the validation itself), so zod interprets.
z.config({ jitless: true });

export const SpanSchema = z.object({
  file: z.string(),
  line: z.number().int(),
  column: z.number().int(),
  endLine: z.number().int(),
  endColumn: z.number().int(),
  start: z.number().int(),
  end: z.number().int(),
});

const Pair = z.tuple([z.number().int().min(1), z.number().int().min(1)]);
/** (top, bottom, left, right), already resolved from k, (h, w), 4-tuple, same or valid */
const Pad4 = z.tuple([z.number().int().min(0), z.number().int().min(0), z.number().int().min(0), z.number().int().min(0)]);
const Rounding = z.enum(["floor", "ceil", "exact"]);
/** How padding cells are filled besides zeros (docs/language.md#padding-modes); absent means zeros. */
export const PadModeSchema = z.enum(["reflect", "replicate", "circular"]);
export type PadMode = z.infer<typeof PadModeSchema>;
const Dim = z.number().int().min(1);
const Shape = z.array(Dim).min(1).max(3);

/** Resolved arguments per op: every default filled in, every form normalised. */
export const LayerArgsSchema = z.discriminatedUnion("op", [
  z.object({
    op: z.literal("conv"),
    filters: Dim,
    kernel: Pair,
    stride: Pair,
    pad: Pad4,
    dilation: Pair,
    groups: Dim,
    bias: z.boolean(),
    rounding: Rounding,
    /** nn.Conv2d's padding_mode; absent for zeros */
    padding_mode: PadModeSchema.optional(),
  }),
  z.object({ op: z.literal("maxpool"), kernel: Pair, stride: Pair, pad: Pad4, rounding: Rounding }),
  z.object({
    op: z.literal("avgpool"),
    kernel: Pair,
    stride: Pair,
    pad: Pad4,
    count_pad: z.boolean(),
    rounding: Rounding,
  }),
  z.object({ op: z.literal("globalavgpool") }),
  /** mode absent: zeros */
  z.object({ op: z.literal("pad"), pad: Pad4, mode: PadModeSchema.optional() }),
  z.object({ op: z.literal("batchnorm"), eps: z.number().positive(), momentum: z.number().min(0).max(1) }),
  z.object({ op: z.literal("layernorm"), eps: z.number().positive() }),
  z.object({ op: z.literal("groupnorm"), groups: Dim, eps: z.number().positive() }),
  z.object({ op: z.literal("affine"), features: Dim, bias: z.boolean() }),
  z.object({ op: z.literal("flatten") }),
  z.object({ op: z.literal("relu") }),
  z.object({ op: z.literal("leakyrelu"), alpha: z.number().min(0) }),
  z.object({ op: z.literal("sigmoid") }),
  z.object({ op: z.literal("tanh") }),
  z.object({ op: z.literal("dropout"), p: z.number().min(0).lt(1) }),
  z.object({
    op: z.literal("convtranspose"),
    filters: Dim,
    kernel: Pair,
    stride: Pair,
    /** rows/columns cropped from the full output (top, bottom, left, right) */
    pad: Pad4,
    /** rows/columns added at the bottom/right (PyTorch's output_padding) */
    output_pad: z.tuple([z.number().int().min(0), z.number().int().min(0)]),
    dilation: Pair,
    groups: Dim,
    bias: z.boolean(),
  }),
  z.object({ op: z.literal("upsample"), scale: Pair, mode: z.enum(["nearest", "bilinear"]) }),
  z.object({ op: z.literal("adaptiveavgpool"), size: Pair }),
  z.object({ op: z.literal("globalmaxpool") }),
  z.object({ op: z.literal("softmax") }),
  // Merges: read two or more values (`from`); written `add { … }` and `concat { … }`.
  z.object({ op: z.literal("add") }),
  z.object({ op: z.literal("concat") }),
  z.object({ op: z.literal("relu6") }),
  z.object({ op: z.literal("clamp"), min: z.number(), max: z.number() }),
  z.object({ op: z.literal("hardswish") }),
  z.object({ op: z.literal("hardsigmoid") }),
  z.object({ op: z.literal("silu") }),
  z.object({ op: z.literal("elu"), alpha: z.number().min(0) }),
  z.object({ op: z.literal("selu") }),
  z.object({ op: z.literal("softplus"), beta: z.number().positive(), threshold: z.number().positive() }),
  z.object({ op: z.literal("mish") }),
  z.object({ op: z.literal("layernorm2d"), eps: z.number().positive() }),
  z.object({ op: z.literal("layerscale"), init: z.number() }),
  z.object({ op: z.literal("channelshuffle"), groups: Dim }),
  z.object({ op: z.literal("slice"), start: z.number().int().min(0), end: Dim }),
  z.object({ op: z.literal("stochasticdepth"), p: z.number().min(0).max(1), mode: z.enum(["row", "batch"]) }),
  z.object({ op: z.literal("pixelshuffle"), factor: Dim }),
  z.object({ op: z.literal("pixelunshuffle"), factor: Dim }),
  /** num_parameters: 1 (one shared slope) or the input's channel count, as PyTorch's PReLU */
  z.object({ op: z.literal("prelu"), num_parameters: Dim, init: z.number() }),
  z.object({ op: z.literal("gelu"), approximate: z.enum(["none", "tanh"]) }),
  z.object({ op: z.literal("instancenorm"), eps: z.number().positive(), affine: z.boolean() }),
  // A merge: the elementwise product of two or more values, a [C, 1, 1] operand broadcast over [C, H, W] (a gate).
  z.object({ op: z.literal("mul") }),
  /** PyTorch's x.permute(dims) with the batch axis 0 kept first: dims = (0, a, b, c), a permutation of 1, 2, 3 */
  z.object({ op: z.literal("permute"), dims: z.tuple([z.literal(0), z.number().int().min(1).max(3), z.number().int().min(1).max(3), z.number().int().min(1).max(3)]) }),
  /** PyTorch's nn.Linear over the last axis (channels-last ConvNeXt): weight [features, last], no flattening */
  z.object({ op: z.literal("linear"), features: Dim, bias: z.boolean() }),
  /** PyTorch's nn.LayerNorm(last): statistics over the last axis at every other position */
  z.object({ op: z.literal("layernormlast"), eps: z.number().positive() }),
]);
export type LayerArgs = z.infer<typeof LayerArgsSchema>;
export type OpName = LayerArgs["op"];
export type ArgsOf<O extends OpName> = Extract<LayerArgs, { op: O }>;
/** Every layer op, in the schema's order. */
export const OP_NAMES: readonly OpName[] = LayerArgsSchema.options.map((o) => o.shape.op.value);

export const LossArgsSchema = z.discriminatedUnion("op", [
  // nn.CrossEntropyLoss's options (docs/language.md#losses); each is absent at PyTorch's default
  z.object({
    op: z.literal("softmax"),
    label_smoothing: z.number().min(0).lt(1).optional(),
    /** one weight per class, K of them */
    weight: z.array(z.number().min(0)).min(1).optional(),
    ignore_index: z.number().int().min(0).optional(),
    /** absent: mean */
    reduction: z.enum(["mean", "sum"]).optional(),
  }),
  z.object({ op: z.literal("svm"), margin: z.number().min(0) }),
]);
export type LossArgs = z.infer<typeof LossArgsSchema>;

export const TensorSchema = z.object({
  /** full PyTorch-style name, e.g. "c1.weight", "bn1.running_mean" */
  name: z.string(),
  shape: z.array(Dim),
});
export type Tensor = z.infer<typeof TensorSchema>;

/**
 * One enclosing construct of a layer, for display only (summary, draw): a block
 * instance, a `seq`, or one branch of a merge. `id` tells two instances with the
 * same title apart; emit and export ignore scopes.
 */
export const ScopeSchema = z.object({
  kind: z.enum(["block", "seq", "branch"]),
  id: z.number().int().min(0),
  /** "BasicBlock(128, stride=2)" (block), "layer1" (seq), "branch 2" (branch) */
  title: z.string(),
  /** the module path it gives its layers ("layer1.0"), "" when it adds none */
  path: z.string(),
  /** for editors: the statement that opened it (an instance, a seq), its arguments with defaults, the index in `layers` of its output */
  span: SpanSchema.optional(),
  args: z.array(z.string()).optional(),
  output: z.number().int().min(-1).optional(),
});
export type Scope = z.infer<typeof ScopeSchema>;
/** A layer's tensor name: "<layer>.<suffix>", or the bare layer name for suffix "" (layerscale, as torchvision's `layer_scale`). */
export function tensorName(layer: string, suffix: string): string {
  return suffix === "" ? layer : `${layer}.${suffix}`;
}

export const LayerSchema = z.object({
  /** the given label or the automatic name (conv1, relu3, a_2_1) */
  name: z.string(),
  args: LayerArgsSchema,
  /**
   * Where each operand comes from: the index in the model's `layers` of its
   * producer, or -1 for the model's input. Layers are in topological order, so
   * every index is smaller than the layer's own. In a plain stack layer i
   * reads i − 1; merges (add, concat) read two or more.
   */
  from: z.array(z.number().int().min(-1)).min(1),
  /** each operand's one-sample shape, in the order of `from` (inputs[0] equals `input`) */
  inputs: z.array(Shape).min(1),
  /** one sample's (first) input and output shape: [C, H, W] or [D] */
  input: Shape,
  output: Shape,
  params: z.array(TensorSchema),
  state: z.array(TensorSchema),
  /** multiply-accumulates per sample (conv and affine; 0 elsewhere) */
  macs: z.number().int().min(0),
  span: SpanSchema,
  /** the layer's source text as written, e.g. "c1: conv(6, kernel=5, pad=2)" */
  source: z.string(),
  /** enclosing blocks, seqs and branches, outermost first; absent or empty at the model's top level */
  scope: z.array(ScopeSchema).optional(),
});
export type Layer = z.infer<typeof LayerSchema>;

export const LossSchema = z.object({
  args: LossArgsSchema,
  span: SpanSchema,
  source: z.string(),
});
export type Loss = z.infer<typeof LossSchema>;

export const ModelSchema = z.object({
  name: z.string(),
  file: z.string(),
  span: SpanSchema,
  input: Shape,
  output: Shape,
  layers: z.array(LayerSchema),
  loss: LossSchema.nullable(),
  /** totals over layers */
  params: z.number().int().min(0),
  macs: z.number().int().min(0),
})
  // The graph is acyclic and in order: every operand is produced before it is read.
  .refine((m) => m.layers.every((l, i) => l.from.length === l.inputs.length && l.from.every((f) => f < i)), {
    message: "a layer reads a value produced at or after it",
  });
export type Model = z.infer<typeof ModelSchema>;

/** A model that failed to check: its layers up to (not including) the failing one. */
export interface PartialModel {
  name: string;
  file: string;
  span: z.infer<typeof SpanSchema>;
  input: number[];
  layers: Layer[];
}
