// Graph models for the oracle tests, built straight as IR with this folder's
// own shape rules (./models.ts), independent of src/check: a builder, random
// graphs (residual adds with and without projections, concats of 2–3
// branches, skips across several layers, a value merged with itself, nested
// merges, values nobody reads, flatten of a value other layers read too,
// squeeze-and-excitation gates and products of equal shapes), and
// torchvision's ResNets with torchvision's state-dict names.
import { type Layer, type LossArgs, type Model, ModelSchema } from "../../src/ir.ts";
import { type LayerSpec, poolWindowEmpty, randomLayer, resolveLayer, resolveMerge, rng, STACK_OPS } from "./models.ts";

const span = { file: "graph.cnn", line: 1, column: 1, endLine: 1, endColumn: 1, start: 0, end: 0 };
const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Values are -1 (the input) or a layer's index. */
export class GraphBuilder {
  readonly layers: Layer[] = [];
  constructor(
    readonly name: string,
    readonly input: number[],
  ) {}

  shape(v: number): number[] {
    return v < 0 ? this.input : this.layers[v].output;
  }

  layer(spec: LayerSpec, v: number): number {
    this.layers.push(resolveLayer(spec, this.shape(v), "floor", v));
    return this.layers.length - 1;
  }

  op(label: string, op: LayerSpec["op"], v: number, args: LayerSpec["args"] = []): number {
    return this.layer({ label, op, args }, v);
  }

  merge(label: string, op: "add" | "concat" | "mul", vs: number[]): number {
    this.layers.push(resolveMerge(label, op, vs.map((v) => this.shape(v)), vs));
    return this.layers.length - 1;
  }

  model(loss: LossArgs | null): Model {
    const layers = this.layers;
    const output = layers.length === 0 ? this.input : layers[layers.length - 1].output;
    const params = layers.reduce((s, l) => s + l.params.reduce((t, p) => t + size(p.shape), 0), 0);
    const macs = layers.reduce((s, l) => s + l.macs, 0);
    return ModelSchema.parse({
      name: this.name,
      file: "graph.cnn",
      span,
      input: this.input,
      output,
      layers,
      loss: loss === null ? null : { args: loss, span, source: "loss" },
      params,
      macs,
    });
  }
}

// ---------------------------------------------------------------------------
// Random graphs

type Rng = ReturnType<typeof rng>;

/** Which graph situations a model contains, so a test can prove its generator reached them. */
export type GraphFeature =
  | "add"
  | "mul"
  | "concat"
  | "identity shortcut"
  | "projection shortcut"
  | "3-way merge"
  | "skip across layers"
  | "merge of a value with itself"
  | "input read twice"
  | "nested merge"
  | "value read by no layer"
  | "flatten of a value read elsewhere"
  | "output read by layers"
  | "gate"
  | "mul of equal shapes";

class RandomGraph {
  readonly g: GraphBuilder;
  readonly features = new Set<GraphFeature>();
  private n = 0;
  private readers = new Map<number, number>();
  constructor(
    name: string,
    input: number[],
    private readonly r: Rng,
  ) {
    this.g = new GraphBuilder(name, input);
  }

  private read(v: number) {
    this.readers.set(v, (this.readers.get(v) ?? 0) + 1);
    if (v < 0 && this.readers.get(v)! > 1) this.features.add("input read twice");
  }

  /** One random non-merge layer on v, or undefined when none fits after a few tries. */
  plain(v: number, spatialOnly: boolean): number | undefined {
    const shape = this.g.shape(v);
    const ops = STACK_OPS.filter((op) => !spatialOnly || !["flatten", "globalavgpool", "affine"].includes(op));
    for (let attempt = 0; attempt < 20; attempt++) {
      const spec = randomLayer(this.r, this.r.pick(ops), shape, `L${this.n + 1}`, true);
      if (spec === null) continue;
      let layer: Layer;
      try {
        layer = resolveLayer(spec, shape, "floor", v);
      } catch {
        continue;
      }
      if (layer.output.some((d) => !(d >= 1)) || size(layer.output) > 400 || poolWindowEmpty(layer)) continue;
      this.n++;
      this.read(v);
      return this.g.layer(spec, v);
    }
    return undefined;
  }

  private merge(op: "add" | "concat" | "mul", vs: number[]): number {
    this.n++;
    for (const v of vs) this.read(v);
    this.features.add(op);
    if (vs.length > 2) this.features.add("3-way merge");
    if (new Set(vs).size < vs.length) this.features.add("merge of a value with itself");
    return this.g.merge(`M${this.n}`, op, vs);
  }

  /** 0..maxLen layers from v (merges nested while depth lasts). */
  chain(v: number, depth: number, maxLen: number, spatialOnly: boolean): number {
    const len = this.r.int(0, maxLen);
    for (let i = 0; i < len; i++) {
      const nested = depth > 0 && this.r.chance(0.3) ? (this.r.chance(0.5) ? this.residual(v, depth - 1) : this.concat(v, depth - 1)) : undefined;
      if (nested !== undefined) this.features.add("nested merge");
      v = nested ?? this.plain(v, spatialOnly) ?? v;
    }
    return v;
  }

  /** A 1×1 conv (or an affine for [D]) from v to the shape `to`, when a stride gives it. */
  private projection(v: number, to: number[]): number | undefined {
    const from = this.g.shape(v);
    if (from.length !== to.length) return undefined;
    if (from.length === 1) {
      this.n++;
      this.read(v);
      return this.g.op(`P${this.n}`, "affine", v, [["features", to[0]]]);
    }
    const stride = [1, 2].map((ax) => [1, 2, 3].find((s) => Math.ceil(from[ax] / s) === to[ax]));
    if (stride.some((s) => s === undefined)) return undefined;
    this.n++;
    this.read(v);
    const args: LayerSpec["args"] = [["filters", to[0]], ["kernel", 1], ["stride", stride as number[]]];
    if (this.r.chance(0.5)) args.push(["bias", false]);
    return this.g.op(`P${this.n}`, "conv", v, args);
  }

  residual(v: number, depth: number): number | undefined {
    const main = this.chain(v, depth, 3, true);
    const want = this.g.shape(main);
    let short = v;
    if (this.g.shape(v).join() === want.join()) {
      if (main === v) return this.merge("add", [v, v]);
      this.features.add("identity shortcut");
    } else {
      const p = this.projection(v, want);
      if (p === undefined) return undefined;
      short = p;
      this.features.add("projection shortcut");
    }
    return this.merge("add", this.r.chance(0.5) ? [main, short] : [short, main]);
  }

  concat(v: number, depth: number): number | undefined {
    const branches = [this.chain(v, depth, 2, true)];
    const hw = (u: number) => this.g.shape(u).slice(1).join();
    const count = this.r.int(2, 3);
    for (let tries = 0; branches.length < count && tries < 6; tries++) {
      const b = this.r.chance(0.3) ? v : this.chain(v, depth, 2, true);
      if (hw(b) === hw(branches[0]) && this.g.shape(b).length === this.g.shape(branches[0]).length) branches.push(b);
    }
    return branches.length < 2 ? undefined : this.merge("concat", branches);
  }

  /**
   * Squeeze-and-excitation on a chain from v: adaptiveavgpool(1), a 1×1 conv to a few channels, an
   * activation, a 1×1 conv back to C, a sigmoid — the [C, 1, 1] gate multiplies the chain's value;
   * now and then instead a product with v itself when the shapes are equal.
   */
  gate(v: number, depth: number): number | undefined {
    const main = this.chain(v, depth, 2, true);
    const shape = this.g.shape(main);
    if (shape.length !== 3) return undefined;
    if (main !== v && this.g.shape(v).join() === shape.join() && this.r.chance(0.3)) {
      this.features.add("mul of equal shapes");
      return this.merge("mul", [v, main]);
    }
    const step = (op: LayerSpec["op"], u: number, args: LayerSpec["args"] = []) => {
      this.n++;
      this.read(u);
      return this.g.op(`L${this.n}`, op, u, args);
    };
    let s = step("adaptiveavgpool", main, [["size", 1]]);
    s = step("conv", s, [["filters", this.r.int(1, 3)], ["kernel", 1]]);
    s = step(this.r.pick(["relu", "silu", "prelu"] as const), s);
    s = step("conv", s, [["filters", shape[0]], ["kernel", 1]]);
    s = step(this.r.pick(["sigmoid", "hardsigmoid"] as const), s);
    this.features.add("gate");
    return this.merge("mul", this.r.chance(0.5) ? [main, s] : [s, main]);
  }

  /** A merge with an earlier value of a matching shape that is not the current one. */
  skip(v: number, history: number[]): number | undefined {
    const shape = this.g.shape(v).join();
    const same = history.filter((u) => u !== v && this.g.shape(u).join() === shape);
    if (same.length === 0) return undefined;
    this.features.add("skip across layers");
    return this.merge(this.r.chance(0.5) ? "add" : "concat", [this.r.pick(same), v]);
  }

  /** A layer reading v whose output nothing reads. */
  dead(v: number): void {
    if (this.plain(v, false) !== undefined) this.features.add("value read by no layer");
  }

  readersOf(v: number): number {
    return this.readers.get(v) ?? 0;
  }

  label(): string {
    return `L${++this.n}`;
  }
}

/** A random graph model: small shapes, every situation of GraphFeature reachable. */
export function randomGraphModel(name: string, seed: number): { model: Model; features: Set<GraphFeature> } {
  const r = rng(seed);
  const spatial = r.chance(0.85);
  const input = spatial ? [r.int(1, 4), r.int(3, 7), r.int(3, 7)] : [r.int(2, 10)];
  const rg = new RandomGraph(name, input, r);
  const g = rg.g;
  let v = -1;
  const history = [-1];
  const statements = r.int(1, 4);
  for (let s = 0; s < statements; s++) {
    const kind = r.int(0, 6);
    const next =
      kind === 0
        ? rg.plain(v, false)
        : kind === 1
          ? rg.residual(v, 1)
          : kind === 2
            ? rg.concat(v, 1)
            : kind === 3
              ? rg.skip(v, history)
              : kind === 4
                ? rg.residual(v, 0)
                : kind === 5
                  ? rg.gate(v, 0)
                  : (rg.dead(v), undefined);
    if (next !== undefined) {
      v = next;
      history.push(v);
    }
  }
  if (!g.layers.some((l) => l.from.length > 1) || g.layers.length - 1 !== v) {
    // every model merges, and ends at the current value (so a layer drawn by dead() stays unread)
    const merged = r.chance(0.5) ? rg.residual(v, 0) : undefined;
    v = merged ?? g.merge(rg.label(), "add", [v, v]);
    rg.features.add("add");
  }
  const lossChoice = r.int(0, 3);
  let loss: LossArgs | null = null;
  if (lossChoice === 3 && g.shape(v).length === 3 && size(g.shape(v)) <= 200) {
    // the output is flatten of a value another layer reads
    rg.dead(v);
    g.op(rg.label(), "flatten", v);
    rg.features.add("output read by layers");
  } else if (lossChoice > 0) {
    const k = r.int(2, 5);
    if (g.shape(v).length === 3 && r.chance(0.5)) {
      // two heads added: flatten → affine beside globalavgpool → affine
      const f = g.op(rg.label(), "flatten", v);
      const a = g.op(rg.label(), "affine", f, [["features", k]]);
      const p = g.op(rg.label(), "globalavgpool", v);
      const b = g.op(rg.label(), "affine", p, [["features", k]]);
      g.merge(rg.label(), "add", [a, b]);
      rg.features.add("flatten of a value read elsewhere");
    } else {
      g.op(rg.label(), "affine", v, [["features", k]]);
    }
    loss = lossChoice === 1 ? { op: "softmax" } : { op: "svm", margin: r.pick([1, 0.5]) };
  }
  if (rg.readersOf(-1) > 1) rg.features.add("input read twice");
  return { model: g.model(loss), features: rg.features };
}

// ---------------------------------------------------------------------------
// torchvision's ResNets, named as its state_dict names them

const conv = (filters: number, kernel: number, stride = 1, pad = 0): LayerSpec["args"] => [
  ["filters", filters],
  ["kernel", kernel],
  ["stride", stride],
  ["pad", pad],
  ["bias", false],
];

/** torchvision.models.resnet18 / resnet50 (BasicBlock [2, 2, 2, 2] / Bottleneck [3, 4, 6, 3]). */
export function resnet(kind: "resnet18" | "resnet50", input = [3, 224, 224], classes = 1000): Model {
  const g = new GraphBuilder(kind, input);
  let v = g.op("conv1", "conv", -1, conv(64, 7, 2, 3));
  v = g.op("bn1", "batchnorm", v);
  v = g.op("relu", "relu", v);
  v = g.op("maxpool", "maxpool", v, [["kernel", 3], ["stride", 2], ["pad", 1]]);
  const bottleneck = kind === "resnet50";
  const blocks = bottleneck ? [3, 4, 6, 3] : [2, 2, 2, 2];
  let channels = 64;
  blocks.forEach((count, stage) => {
    const planes = 64 * 2 ** stage;
    for (let b = 0; b < count; b++) {
      const at = `layer${stage + 1}.${b}`;
      const stride = stage > 0 && b === 0 ? 2 : 1;
      const out = bottleneck ? planes * 4 : planes;
      const x = v;
      let y: number;
      if (bottleneck) {
        y = g.op(`${at}.conv1`, "conv", x, conv(planes, 1));
        y = g.op(`${at}.bn1`, "batchnorm", y);
        y = g.op(`${at}.relu1`, "relu", y);
        y = g.op(`${at}.conv2`, "conv", y, conv(planes, 3, stride, 1));
        y = g.op(`${at}.bn2`, "batchnorm", y);
        y = g.op(`${at}.relu2`, "relu", y);
        y = g.op(`${at}.conv3`, "conv", y, conv(out, 1));
        y = g.op(`${at}.bn3`, "batchnorm", y);
      } else {
        y = g.op(`${at}.conv1`, "conv", x, conv(planes, 3, stride, 1));
        y = g.op(`${at}.bn1`, "batchnorm", y);
        y = g.op(`${at}.relu1`, "relu", y);
        y = g.op(`${at}.conv2`, "conv", y, conv(planes, 3, 1, 1));
        y = g.op(`${at}.bn2`, "batchnorm", y);
      }
      let short = x;
      if (stride !== 1 || channels !== out) {
        short = g.op(`${at}.downsample.0`, "conv", x, conv(out, 1, stride));
        short = g.op(`${at}.downsample.1`, "batchnorm", short);
      }
      v = g.merge(`${at}.add`, "add", [y, short]);
      v = g.op(`${at}.relu`, "relu", v);
      channels = out;
    }
  });
  v = g.op("avgpool", "globalavgpool", v);
  g.op("fc", "affine", v, [["features", classes]]);
  return g.model({ op: "softmax" });
}

/**
 * A graph model as .cnn text, or undefined when the syntax cannot say it (a
 * layer reading the input after other statements: a reference names a label).
 * Every statement is labelled with its layer's name; a layer that does not
 * read the previous statement's value is a chain starting with a reference,
 * `{ @L2; L5: conv(...) }`; a merge lists `{}` for the previous value (the
 * identity branch) and `@label` for the others.
 */
export function graphText(model: Model): string | undefined {
  const lines = [`model ${model.name} {`, `  input [${model.input.join(", ")}]`];
  let current = -1;
  for (const [i, layer] of model.layers.entries()) {
    const ref = (v: number) => (v === current ? "{}" : v >= 0 ? `@${model.layers[v].name}` : undefined);
    if (layer.args.op === "add" || layer.args.op === "concat" || layer.args.op === "mul") {
      const items = layer.from.map(ref);
      if (items.includes(undefined)) return undefined;
      lines.push(`  ${layer.name}: ${layer.args.op} { ${items.join("; ")} }`);
    } else {
      const v = layer.from[0];
      if (v === current) lines.push(`  ${layer.source}`);
      else if (v >= 0) lines.push(`  { @${model.layers[v].name}; ${layer.source} }`);
      else return undefined;
    }
    current = i;
  }
  if (model.loss) lines.push(model.loss.args.op === "softmax" ? "  loss softmax" : `  loss svm(margin=${model.loss.args.margin})`);
  lines.push("}");
  return lines.join("\n") + "\n";
}
