// check: FileAst → checked IR (zod-validated Model per model) + diagnostics.
// Guarantees: every model in `models` has resolved arguments, consistent shapes,
// parameter/state tensors and counts within the limits; a failing model goes to
// `partial` with its layers up to the first failing one. Blocks, repeats, ifs,
// seqs, merges and references are expanded first (src/graph/), after the
// counts are checked; then the arguments of every expanded layer are checked
// (all E02xx of a model are reported, once per statement and message), and
// shapes are inferred in topological order, stopping a model at its first
// shape error. Emits E0201–E0224 (via src/ops/args.ts, src/graph/ and the ops
// too), E0301–E0309, W0401 and W0402.
import type { BlockAst, FileAst, ModelAst } from "./ast.ts";
import { diag, renameFix, type Diagnostic, type Label, type Span } from "./diagnostics.ts";
import { Counter, findRecursion, MAX_DEPTH, MAX_INSTANCES } from "./graph/count.ts";
import { Evaluator, toValue } from "./graph/eval.ts";
import { Expander, type Node, ordinal } from "./graph/expand.ts";
import { type Layer, type Loss, type Model, ModelSchema, type PartialModel, type Tensor, tensorName } from "./ir.ts";
import { readArgs, valueText } from "./ops/args.ts";
import { aliasesOf, findLoss, findOp, losses, ops } from "./ops/index.ts";
import { checkClassWeights } from "./ops/class-weights.ts";
import {
  type AnyOpDef,
  formatShape,
  type InferContext,
  type ModelRounding,
  type Operand,
  product,
  ROUNDINGS,
  type Rounding,
  type Shape,
} from "./ops/op.ts";
import { suggest } from "./suggest.ts";

/** At most this many layers after expanding `repeat` (docs/language.md#limits), checked before expanding. */
export const MAX_LAYERS = 10_000;
/** At most this many elements per sample in any tensor (docs/language.md#limits). */
export const MAX_ELEMENTS = 2 ** 31 - 1;

export interface CheckResult {
  models: Model[];
  partial: PartialModel[];
  diagnostics: Diagnostic[];
}

/**
 * Checks every model of `ast`. `imported` are the files it imports (directly or
 * not), whose blocks are visible in it; their models are not checked here.
 */
export function check(ast: FileAst, imported: readonly FileAst[] = []): CheckResult {
  const result: CheckResult = { models: [], partial: [], diagnostics: [] };
  const report = (d: Diagnostic): void => void result.diagnostics.push(d);
  const broken = new Set<string>();
  const blocks = collectBlocks([ast, ...imported], broken, report);
  for (const name of findRecursion(blocks, report)) broken.add(name);
  const firstByName = new Map<string, ModelAst>();
  const allNames = new Set(ast.models.map((m) => m.name));
  for (const m of ast.models) {
    const checker = new ModelChecker(ast, m, blocks, broken, result.diagnostics);
    const first = firstByName.get(m.name);
    if (first !== undefined) checker.duplicateModel(first, allNames);
    else firstByName.set(m.name, m);
    const checked = checker.run();
    if (checked.ok) result.models.push(checked.model);
    else result.partial.push(checked.partial);
  }
  return result;
}

/**
 * The blocks visible in a file: its own and its imports'. A name is one block and no op (E0220);
 * a name defined twice goes to `broken`, so that no model silently uses one of the two.
 */
function collectBlocks(files: readonly FileAst[], broken: Set<string>, report: (d: Diagnostic) => void): Map<string, BlockAst> {
  const blocks = new Map<string, BlockAst>();
  for (const f of files) {
    for (const b of f.blocks) {
      const first = blocks.get(b.name);
      if (findOp(b.name) !== undefined || findLoss(b.name) !== undefined) {
        report(
          diag("E0220", b.nameSpan, `block '${b.name}' has the name of an op`, {
            notes: ["a layer statement names an op or a block; one name cannot be both"],
            help: `rename the block, e.g. '${b.name[0].toUpperCase()}${b.name.slice(1)}Block'`,
          }),
        );
      } else if (first !== undefined) {
        broken.add(b.name);
        report(
          diag("E0220", b.nameSpan, `block '${b.name}' is defined twice`, {
            labels: [{ span: first.nameSpan, message: `'${b.name}' first defined here` }],
            notes: ["block names are unique across a file and the files it imports"],
            help: `rename one of them, e.g. '${b.name}2'`,
          }),
        );
      } else blocks.set(b.name, b);
    }
  }
  return blocks;
}

interface Resolved {
  def: AnyOpDef;
  draft: unknown;
}

function spanFrom(start: Span, end: Span): Span {
  return { ...start, endLine: end.endLine, endColumn: end.endColumn, end: end.end };
}

/** 1234567 → "1,234,567" */
function grouped(n: number | bigint): string {
  return n.toLocaleString("en-US", { maximumFractionDigits: 0 });
}

class ModelChecker {
  private failed = false;
  private readonly layers: Layer[] = [];
  private nodes: Node[] = [];
  /** diagnostics already reported for another instance of the same statement */
  private readonly seen = new Set<string>();

  constructor(
    private readonly ast: FileAst,
    private readonly m: ModelAst,
    private readonly blocks: ReadonlyMap<string, BlockAst>,
    private readonly recursive: ReadonlySet<string>,
    private readonly out: Diagnostic[],
  ) {}

  private report = (d: Diagnostic): void => {
    if (d.severity === "error") this.failed = true;
    const key = `${d.code}|${d.span.file}|${d.span.start}|${d.message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.out.push(d);
  };

  duplicateModel(first: ModelAst, allNames: ReadonlySet<string>): void {
    let k = 2;
    while (allNames.has(`${this.m.name}${k}`)) k++;
    this.report(
      diag("E0201", this.m.nameSpan, `model '${this.m.name}' is defined twice in this file`, {
        labels: [{ span: first.nameSpan, message: `'${first.name}' first defined here` }],
        notes: ["model names are unique in a file: each becomes a generated module and a --model choice"],
        help: `rename this one, e.g. 'model ${this.m.name}${k}'`,
      }),
    );
  }

  run(): { ok: true; model: Model } | { ok: false; partial: PartialModel } {
    const input = this.checkInput();
    const rounding = this.checkRounding();
    const tooMany = !this.checkCounts();

    if (!tooMany) {
      const expander = new Expander(this.blocks, this.recursive, this.report);
      expander.run(this.m, this.ast.text);
      this.nodes = expander.nodes;
      if (expander.failed) this.failed = true;
    }
    const badNames = this.checkNames(this.nodes);
    const resolved = this.nodes.map((n) => this.resolveNode(n, rounding));
    const loss = this.resolveLoss();

    // Shapes in topological order until the first layer that failed anywhere (names, arguments, shapes).
    const outputs: Shape[] = [];
    let shape = input;
    for (let i = 0; shape !== undefined && !tooMany && i < this.nodes.length; i++) {
      const r = resolved[i];
      const layer = badNames.has(i) || r === undefined ? undefined : this.inferLayer(i, r, input!, outputs);
      if (layer !== undefined) {
        this.layers.push(layer);
        outputs.push(layer.output);
      }
      shape = layer?.output;
    }
    if (shape !== undefined && !tooMany) {
      this.checkTotals();
      if (loss !== undefined) this.checkLossInput(shape, loss);
    }

    if (this.failed || input === undefined || shape === undefined || tooMany) {
      const partial = {
        name: this.m.name,
        file: this.ast.file,
        span: this.m.span,
        input: input ?? this.m.input.dims.map((d) => d.value),
        layers: this.layers,
      };
      return { ok: false, partial };
    }
    const model = {
      name: this.m.name,
      file: this.ast.file,
      span: this.m.span,
      input,
      output: shape,
      layers: this.layers,
      loss: loss ?? null,
      params: this.layers.reduce((n, l) => n + l.params.reduce((p, t) => p + product(t.shape), 0), 0),
      macs: this.layers.reduce((n, l) => n + l.macs, 0),
    };
    const parsed = ModelSchema.safeParse(model);
    if (!parsed.success) {
      throw new Error(`internal error: model '${this.m.name}' failed IR validation: ${parsed.error.message}`);
    }
    return { ok: true, model: parsed.data };
  }

  /** The parser guarantees `[C, H, W]` or `[D]` with whole dimensions ≥ 1 (E0121, E0122); the size limit is ours (E0305). */
  private checkInput(): Shape | undefined {
    const { dims, span } = this.m.input;
    const shape = dims.map((d) => d.value);
    if ((shape.length !== 1 && shape.length !== 3) || !shape.every((d) => Number.isSafeInteger(d) && d >= 1)) {
      throw new Error(`internal error: input ${formatShape(shape)} of model '${this.m.name}' reached the checker unvalidated`);
    }
    if (product(shape) > MAX_ELEMENTS) {
      this.report(this.tooLarge(span, `input ${formatShape(shape)}`, shape, []));
      return undefined;
    }
    return shape;
  }

  private checkRounding(): ModelRounding {
    const r = this.m.rounding;
    if (r === undefined) return { mode: "floor" };
    if ((ROUNDINGS as readonly string[]).includes(r.mode)) return { mode: r.mode as Rounding, span: r.span };
    const guess = suggest(r.mode, ROUNDINGS);
    this.report(
      diag("E0213", r.modeSpan, `unknown rounding mode '${r.mode}'`, {
        notes: ["rounding is floor (the default), ceil (pools only) or exact"],
        help: guess !== undefined ? `did you mean '${guess}'?` : "use floor, ceil or exact",
        fix: guess !== undefined ? renameFix(r.modeSpan, guess) : undefined,
      }),
    );
    return { mode: "floor" };
  }

  /** Layers, instances and nesting depth, counted before expanding (E0215); false when over a limit. */
  private checkCounts(): boolean {
    const counter = new Counter(this.blocks, this.recursive, BigInt(MAX_LAYERS));
    const total = counter.count(this.m.body, new Map());
    const over = (c: { layers: bigint; instances: bigint; depth: number } | undefined): boolean =>
      c === undefined || c.layers > BigInt(MAX_LAYERS) || c.instances > BigInt(MAX_INSTANCES) || c.depth > MAX_DEPTH;
    if (!over(total)) return true;
    // Point at the statement whose copies push the running count past the limit.
    let running = { layers: 0n, instances: 0n, depth: 0 };
    let culprit = this.m.body[0];
    for (const s of this.m.body) {
      const c = counter.count([s], new Map());
      culprit = s;
      if (c === undefined) break;
      running = { layers: running.layers + c.layers, instances: running.instances + c.instances, depth: Math.max(running.depth, c.depth) };
      if (over(running)) break;
    }
    const span = culprit.kind === "repeat" ? spanFrom(culprit.span, culprit.countSpan) : culprit.span;
    const what =
      total === undefined
        ? `model '${this.m.name}' expands to too many statements to count; the limit is ${grouped(MAX_LAYERS)} layers`
        : total.layers > BigInt(MAX_LAYERS)
          ? `model '${this.m.name}' has ${total.layers > BigInt(MAX_LAYERS) + 1n ? "" : "more than "}${grouped(total.layers)} layers after expanding repeat; the limit is ${grouped(MAX_LAYERS)}`
          : total.instances > BigInt(MAX_INSTANCES)
            ? `model '${this.m.name}' has ${grouped(total.instances)} block instances; the limit is ${grouped(MAX_INSTANCES)}`
            : `blocks are nested more than ${MAX_DEPTH} deep in model '${this.m.name}'; the limit is ${MAX_DEPTH}`;
    this.report(
      diag("E0215", span, what, {
        notes: ["the counts are computed from the repeat counts, block arguments and conditions; nothing was expanded"],
        help: "use smaller repeat counts",
      }),
    );
    return false;
  }

  /** A node's arguments against its op (E0202 for an unknown op or block); cached per statement and arguments. */
  private readonly resolvedCache = new Map<unknown, Map<string, Resolved | undefined>>();

  private resolveNode(n: Node, rounding: ModelRounding): Resolved | undefined {
    const key = JSON.stringify(n.args.map((a) => [a.name, a.value.kind === "tuple" ? a.value.items.map((i) => i.text) : a.value.kind === "number" ? a.value.text : a.value.name]));
    let perStmt = this.resolvedCache.get(n.stmt);
    if (perStmt === undefined) this.resolvedCache.set(n.stmt, (perStmt = new Map()));
    if (perStmt.has(key)) return perStmt.get(key);
    const r = this.resolve(n, rounding);
    perStmt.set(key, r);
    return r;
  }

  private resolve(n: Node, rounding: ModelRounding): Resolved | undefined {
    const report = (d: Diagnostic): void => this.report(n.notes.length > 0 ? { ...d, notes: [...d.notes, ...n.notes] } : d);
    const def = findOp(n.op);
    if (def === undefined) {
      const stmt = n.stmt;
      if (stmt.kind !== "layer") throw new Error(`internal error: merge '${n.op}' has no op`);
      const isLoss = findLoss(stmt.op) !== undefined;
      const names = [...Object.keys(ops).filter((o) => !ops[o as keyof typeof ops].merge), ...this.blocks.keys()];
      const guess = isLoss ? undefined : suggest(stmt.op, names, aliasesOf(ops));
      report(
        diag("E0202", stmt.opSpan, `unknown op '${stmt.op}'`, {
          notes: isLoss ? [] : [`the ops are: ${Object.keys(ops).filter((o) => !ops[o as keyof typeof ops].merge).join(", ")}`, ...(this.blocks.size > 0 ? [`the blocks are: ${[...this.blocks.keys()].join(", ")}`] : [])],
          help: isLoss
            ? `${stmt.op} is a loss: write \`loss ${stmt.op}\` as the model's last statement`
            : guess !== undefined
              ? `did you mean '${guess}'?`
              : undefined,
          fix: guess !== undefined ? renameFix(stmt.opSpan, guess) : undefined,
        }),
      );
      return undefined;
    }
    const args = readArgs({ display: def.name, primary: def.primary, args: def.args }, n.args, n.span, report);
    if (args === undefined) return undefined;
    const draft = def.resolve(args, { op: def.name, span: n.span, report, modelRounding: rounding });
    return draft === undefined ? undefined : { def, draft };
  }

  /** E0212 once per pair of clashing statements; returns the indices of nodes whose name clashes. */
  private checkNames(nodes: readonly Node[]): Set<number> {
    const firstIndex = new Map<string, number>();
    const all = new Set(nodes.map((e) => e.name));
    const reportedPairs = new Set<string>();
    const bad = new Set<number>();
    const labelSpan = (e: Node): Span => (e.stmt.label?.span ?? e.span);
    nodes.forEach((e, i) => {
      const j = firstIndex.get(e.name);
      if (j === undefined) {
        firstIndex.set(e.name, i);
        return;
      }
      bad.add(i);
      const other = nodes[j];
      const key = `${other.span.file}:${other.span.start}:${e.span.file}:${e.span.start}`;
      if (reportedPairs.has(key)) return;
      reportedPairs.add(key);
      // Blame a labelled statement: a label can be changed, an automatic name cannot.
      const [blamed, partner] = !e.labelled && other.labelled ? [other, e] : [e, other];
      const leaf = blamed.name.slice(blamed.name.lastIndexOf(".") + 1);
      const base = leaf.replace(/\d+$/, "") || leaf;
      const prefix = blamed.name.slice(0, blamed.name.length - leaf.length);
      let k = 2;
      while (all.has(`${prefix}${base}${k}`) || `${base}${k}` === blamed.stmt.label?.text) k++;
      const labels: Label[] = partner.stmt === blamed.stmt && partner.span.start === blamed.span.start ? [] : [{ span: labelSpan(partner), message: partner.naming }];
      this.report(
        diag("E0212", labelSpan(blamed), `layer name '${e.name}' is used twice in model '${this.m.name}'`, {
          labels,
          notes: [
            ...(!blamed.labelled || blamed.naming.includes("becomes") || blamed.naming.includes("member") ? [blamed.naming] : []),
            "unlabelled layers are named <op><k>: the k-th unlabelled layer of that op",
            ...blamed.notes,
          ],
          help: `rename the label, e.g. '${base}${k}:'`,
        }),
      );
    });
    return bad;
  }

  /** The operand's producer: a layer's statement, or the model's `input`. */
  private producerLabel(from: number, message: string): Label {
    return { span: from >= 0 ? this.nodes[from].span : this.m.input.span, message };
  }

  private tooLarge(span: Span, what: string, shape: Shape, notes: string[], perSample = true): Diagnostic {
    const per = perSample ? " per sample" : "";
    return diag("E0305", span, `${what} has ${grouped(product(shape))} elements${per}; the limit is ${grouped(MAX_ELEMENTS)} (2^31 - 1)`, {
      notes: [`${shape.join(" × ")} = ${grouped(product(shape))}`, ...notes],
      help: "use fewer channels, features or a smaller input, or downsample earlier",
    });
  }

  private inferLayer(i: number, r: Resolved, modelInput: Shape, outputs: readonly Shape[]): Layer | undefined {
    const n = this.nodes[i];
    const inputs = n.from.map((f) => (f === -1 ? modelInput : outputs[f]));
    const input = inputs[0];
    const display = `${n.op} '${n.name}'`;
    const notes = n.notes;
    const report = (d: Diagnostic): void => this.report(d);
    const operands: Operand[] = n.from.map((f, k) => ({
      shape: inputs[k],
      name: n.kind === "merge" ? n.operandNames[k] : f === -1 ? "the model's input" : `'${this.nodes[f].name}'`,
      label: (message) => this.producerLabel(f, message),
    }));
    const ctx: InferContext = {
      display,
      span: n.span,
      report,
      inputLabel: (message) => this.producerLabel(n.from[0], message),
      contextNotes: notes,
      atModelInput: n.from[0] === -1,
      operands,
    };
    const inferred = r.def.infer(r.draft, input, ctx);
    if (inferred === undefined) return undefined;
    const { args, output } = inferred;
    if (product(output) > MAX_ELEMENTS) {
      this.report(this.tooLarge(n.span, `${display} output ${formatShape(output)}`, output, notes));
      return undefined;
    }
    const tensors = (specs: { suffix: string; shape: number[] }[]): Tensor[] =>
      specs.map((t) => ({ name: tensorName(n.name, t.suffix), shape: t.shape }));
    const params = tensors(r.def.params(args, input));
    const state = tensors(r.def.state(args, input));
    for (const t of [...params, ...state]) {
      if (product(t.shape) > MAX_ELEMENTS) {
        this.report(this.tooLarge(n.span, `parameter '${t.name}' ${formatShape(t.shape)}`, t.shape, notes, false));
        return undefined;
      }
    }
    const macs = r.def.macs(args, input, output);
    if (!Number.isSafeInteger(macs)) {
      this.report(
        diag("E0306", n.span, `${display} needs more than 2^53 - 1 multiply-accumulates per sample`, {
          notes: [`about ${macs.toExponential(3)} multiply-accumulates`, ...notes],
          help: "use fewer filters, a smaller kernel or a smaller input",
        }),
      );
      return undefined;
    }
    const source = n.kind === "merge" ? `${n.stmt.label !== undefined ? `${n.stmt.label.text}: ` : ""}${n.op} { … }` : this.layerSource(n);
    return {
      name: n.name,
      args,
      from: n.from,
      inputs,
      input,
      output,
      params,
      state,
      macs,
      span: n.span,
      source,
      ...(n.scope.length > 0 ? { scope: n.scope } : {}),
    };
  }

  /**
   * The layer as written; where an argument is computed (`conv(planes * 4, …)` in a
   * block), the same statement with the values of this instance (`conv(256, …)`).
   */
  private layerSource(n: Node): string {
    const written = n.text.slice(n.span.start, n.span.end);
    if (n.stmt.kind !== "layer") return written;
    const computed = n.stmt.args.some((a, i) => n.text.slice(a.value.span.start, a.value.span.end) !== valueText(n.args[i].value));
    if (!computed) return written;
    const args = n.args.map((a) => `${a.name !== undefined ? `${a.name}=` : ""}${valueText(a.value)}`).join(", ");
    return `${n.stmt.label !== undefined ? `${n.stmt.label.text}: ` : ""}${n.op}(${args})`;
  }

  /** Totals over the model must be safe integers too (each layer's already is). */
  private checkTotals(): void {
    let params = 0;
    let macs = 0;
    for (const l of this.layers) {
      params += l.params.reduce((p, t) => p + product(t.shape), 0);
      macs += l.macs;
      const what = !Number.isSafeInteger(params) ? "parameters" : !Number.isSafeInteger(macs) ? "multiply-accumulates per sample" : undefined;
      if (what !== undefined) {
        this.report(
          diag("E0306", l.span, `model '${this.m.name}' has more than 2^53 - 1 ${what} by layer '${l.name}'`, {
            help: "make the model smaller",
          }),
        );
        return;
      }
    }
  }

  private resolveLoss(): Loss | undefined {
    const stmt = this.m.loss;
    if (stmt === undefined) return undefined;
    const def = findLoss(stmt.op);
    if (def === undefined) {
      const isOp = findOp(stmt.op) !== undefined;
      const guess = suggest(stmt.op, Object.keys(losses), aliasesOf(losses));
      this.report(
        diag("E0214", stmt.opSpan, `unknown loss '${stmt.op}'`, {
          notes: [
            "the losses are softmax (softmax cross-entropy) and svm (multiclass hinge)",
            ...(isOp ? [`${stmt.op} is a layer: put it before the loss, on its own line`] : []),
          ],
          help: guess !== undefined ? `did you mean '${guess}'?` : "use `loss softmax` or `loss svm`",
          fix: guess !== undefined ? renameFix(stmt.opSpan, guess) : undefined,
        }),
      );
      return undefined;
    }
    const evaluator = new Evaluator(this.report);
    const written = stmt.args.map((a) => {
      const v = evaluator.evaluate(a.value, new Map());
      const value = v && toValue(v, a.value.span);
      return value && { ...(a.name !== undefined ? { name: a.name, nameSpan: a.nameSpan } : {}), value, span: a.span };
    });
    if (written.some((a) => a === undefined)) return undefined;
    const args = readArgs({ display: `loss ${def.name}`, primary: def.primary, args: def.args }, written.map((a) => a!), stmt.span, this.report);
    if (args === undefined) return undefined;
    return { args: def.resolve(args), span: stmt.span, source: this.ast.text.slice(stmt.span.start, stmt.span.end) };
  }

  private checkLossInput(shape: Shape, loss: Loss): void {
    const stmt = this.m.loss;
    if (stmt === undefined) return;
    const last = this.layers[this.layers.length - 1];
    if (stmt.op === "softmax" && last?.args.op === "softmax") {
      this.report(
        diag("W0402", last.span, `softmax '${last.name}' before \`loss softmax\` applies softmax twice`, {
          labels: [{ span: stmt.span, message: "this loss takes scores and applies softmax itself" }],
          notes: ["the loss sees probabilities in [0, 1], so its gradients are small and training is slow"],
          help: `remove '${last.name}': train on the scores, and add the softmax layer to an inference model`,
        }),
      );
    }
    // softmax also reads [K, H, W]: a distribution over K classes at every position
    if (loss.args.op === "softmax") {
      const weightArg = stmt.args.find((a) => a.name === "weight");
      checkClassWeights(loss.args, shape, weightArg?.span ?? stmt.span, this.producerLabel(this.nodes.length - 1, `${formatShape(shape)} comes from here`), this.report);
      return;
    }
    if (shape.length === 1) return;
    const flat = product(shape);
    this.report(
      diag("E0307", stmt.span, `loss ${stmt.op} needs class scores [K], got ${formatShape(shape)}`, {
        labels: [this.producerLabel(this.nodes.length - 1, `${formatShape(shape)} comes from here`)],
        notes: ["the loss reads one vector of K class scores per sample"],
        help: `add \`flatten\` before the loss (giving [${flat}]) or \`affine(K)\` for K classes`,
      }),
    );
  }
}
