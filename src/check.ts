// check: FileAst → checked IR (zod-validated Model per model) + diagnostics.
// Guarantees: every model in `models` has resolved arguments, consistent shapes,
// parameter/state tensors and counts within the limits; a failing model goes to
// `partial` with its layers up to the first failing one. Arguments of every
// layer are checked (all E02xx of a model are reported); shape inference stops a
// model at its first shape error. Emits E0201–E0215 (via src/ops/args.ts and the
// ops too), E0301–E0307 and W0401.
import type { BodyStmt, FileAst, LayerStmt, ModelAst, RepeatStmt } from "./ast.ts";
import { diag, type Diagnostic, type Label, type Span } from "./diagnostics.ts";
import { type Layer, type Loss, type Model, ModelSchema, type PartialModel, type Tensor, tensorName } from "./ir.ts";
import { readArgs } from "./ops/args.ts";
import { aliasesOf, findLoss, findOp, losses, ops } from "./ops/index.ts";
import {
  type AnyOpDef,
  formatShape,
  type InferContext,
  type ModelRounding,
  product,
  ROUNDINGS,
  type Rounding,
  type Shape,
} from "./ops/op.ts";
import { suggest } from "./suggest.ts";

/** At most this many layers after expanding `repeat` (SPEC §1), checked before expanding. */
export const MAX_LAYERS = 10_000;
/** At most this many elements per sample in any tensor (SPEC §1). */
export const MAX_ELEMENTS = 2 ** 31 - 1;

export interface CheckResult {
  models: Model[];
  partial: PartialModel[];
  diagnostics: Diagnostic[];
}

export function check(ast: FileAst): CheckResult {
  const result: CheckResult = { models: [], partial: [], diagnostics: [] };
  const firstByName = new Map<string, ModelAst>();
  const allNames = new Set(ast.models.map((m) => m.name));
  for (const m of ast.models) {
    const checker = new ModelChecker(ast, m, result.diagnostics);
    const first = firstByName.get(m.name);
    if (first !== undefined) checker.duplicateModel(first, allNames);
    else firstByName.set(m.name, m);
    const checked = checker.run();
    if (checked.ok) result.models.push(checked.model);
    else result.partial.push(checked.partial);
  }
  return result;
}

/** One layer of the expanded model: its statement, its name and which copy of each enclosing repeat it is. */
interface Expanded {
  stmt: LayerStmt;
  name: string;
  /** enclosing repeats, outermost first, with the 1-based copy index */
  copies: { repeat: RepeatStmt; index: number }[];
}

interface Resolved {
  def: AnyOpDef;
  draft: unknown;
}

function spanFrom(start: Span, end: Span): Span {
  return { ...start, endLine: end.endLine, endColumn: end.endColumn, end: end.end };
}

/** How many layers a body expands to, exactly (BigInt: nested repeats may multiply past 2^53). */
function countLayers(body: readonly BodyStmt[]): bigint {
  let n = 0n;
  for (const s of body) n += s.kind === "layer" ? 1n : BigInt(s.count) * countLayers(s.body);
  return n;
}

function* layerStmts(body: readonly BodyStmt[]): Generator<LayerStmt> {
  for (const s of body) {
    if (s.kind === "layer") yield s;
    else yield* layerStmts(s.body);
  }
}

/** 1234567 → "1,234,567" */
function grouped(n: number | bigint): string {
  return n.toLocaleString("en-US", { maximumFractionDigits: 0 });
}

function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? "th" : (["th", "st", "nd", "rd"][n % 10] ?? "th");
  return `${n}${suffix}`;
}

class ModelChecker {
  private failed = false;
  private readonly layers: Layer[] = [];

  constructor(
    private readonly ast: FileAst,
    private readonly m: ModelAst,
    private readonly out: Diagnostic[],
  ) {}

  private report = (d: Diagnostic): void => {
    if (d.severity === "error") this.failed = true;
    this.out.push(d);
  };

  private source(span: Span): string {
    return this.ast.text.slice(span.start, span.end);
  }

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
    const total = countLayers(this.m.body);
    const tooMany = total > BigInt(MAX_LAYERS);
    if (tooMany) this.reportTooManyLayers(total);

    const resolved = this.resolveLayers(rounding);
    const expanded = tooMany ? [] : this.expand();
    const badNames = tooMany ? new Set<number>() : this.checkNames(expanded);
    const loss = this.resolveLoss();

    // Shapes: layer by layer until the first layer that failed anywhere (names, arguments, shapes).
    let shape = input;
    for (let i = 0; shape !== undefined && !tooMany && i < expanded.length; i++) {
      const r = resolved.get(expanded[i].stmt);
      const layer = badNames.has(i) || r === undefined ? undefined : this.inferLayer(expanded[i], r, shape);
      if (layer !== undefined) this.layers.push(layer);
      shape = layer?.output;
    }
    if (shape !== undefined && !tooMany) {
      this.checkTotals();
      if (loss !== undefined) this.checkLossInput(shape);
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
      }),
    );
    return { mode: "floor" };
  }

  private reportTooManyLayers(total: bigint): void {
    // Point at the statement whose copies push the running count past the limit.
    let running = 0n;
    let culprit: BodyStmt = this.m.body[0];
    for (const s of this.m.body) {
      running += s.kind === "layer" ? 1n : BigInt(s.count) * countLayers(s.body);
      culprit = s;
      if (running > BigInt(MAX_LAYERS)) break;
    }
    const span = culprit.kind === "repeat" ? spanFrom(culprit.span, culprit.countSpan) : culprit.span;
    this.report(
      diag("E0215", span, `model '${this.m.name}' has ${grouped(total)} layers after expanding repeat; the limit is ${grouped(MAX_LAYERS)}`, {
        notes: ["the layer count is computed from the repeat counts; nothing was expanded"],
        help: "use smaller repeat counts",
      }),
    );
  }

  /** Arguments of every written layer, once per statement (not per copy). */
  private resolveLayers(rounding: ModelRounding): Map<LayerStmt, Resolved> {
    const resolved = new Map<LayerStmt, Resolved>();
    const opAliases = aliasesOf(ops);
    for (const stmt of layerStmts(this.m.body)) {
      const def = findOp(stmt.op);
      if (def === undefined) {
        const isLoss = findLoss(stmt.op) !== undefined;
        const guess = isLoss ? undefined : suggest(stmt.op, Object.keys(ops), opAliases);
        this.report(
          diag("E0202", stmt.opSpan, `unknown op '${stmt.op}'`, {
            notes: isLoss ? [] : [`the ops are: ${Object.keys(ops).join(", ")}`],
            help: isLoss
              ? `${stmt.op} is a loss: write \`loss ${stmt.op}\` as the model's last statement`
              : guess !== undefined
                ? `did you mean '${guess}'?`
                : undefined,
          }),
        );
        continue;
      }
      const args = readArgs({ display: def.name, primary: def.primary, args: def.args }, stmt.args, stmt.span, this.report);
      if (args === undefined) continue;
      const draft = def.resolve(args, { op: def.name, span: stmt.span, report: this.report, modelRounding: rounding });
      if (draft !== undefined) resolved.set(stmt, { def, draft });
    }
    return resolved;
  }

  /** The layers in order with their names: labels (+ `_<i>` per enclosing repeat), else `<op><k>`. */
  private expand(): Expanded[] {
    const out: Expanded[] = [];
    const autoCount = new Map<string, number>();
    const walk = (body: readonly BodyStmt[], copies: Expanded["copies"]): void => {
      for (const s of body) {
        if (s.kind === "repeat") {
          for (let i = 1; i <= s.count; i++) walk(s.body, [...copies, { repeat: s, index: i }]);
          continue;
        }
        let name: string;
        if (s.label !== undefined) {
          name = s.label + copies.map((c) => `_${c.index}`).join("");
        } else {
          const k = (autoCount.get(s.op) ?? 0) + 1;
          autoCount.set(s.op, k);
          name = `${s.op}${k}`;
        }
        out.push({ stmt: s, name, copies });
      }
    };
    walk(this.m.body, []);
    return out;
  }

  /** E0212 once per pair of clashing statements; returns the indices of layers whose name clashes. */
  private checkNames(expanded: Expanded[]): Set<number> {
    const firstIndex = new Map<string, number>();
    const all = new Set(expanded.map((e) => e.name));
    const reportedPairs = new Set<string>();
    const bad = new Set<number>();
    const describe = (e: Expanded): string => {
      if (e.stmt.label === undefined) {
        const k = Number(e.name.slice(e.stmt.op.length));
        return `the ${ordinal(k)} unlabelled ${e.stmt.op} is named '${e.name}' automatically`;
      }
      return e.copies.length > 0
        ? `label '${e.stmt.label}' inside repeat becomes '${e.name}' in this copy`
        : `labelled '${e.name}' here`;
    };
    expanded.forEach((e, i) => {
      const j = firstIndex.get(e.name);
      if (j === undefined) {
        firstIndex.set(e.name, i);
        return;
      }
      bad.add(i);
      const other = expanded[j];
      const key = `${other.stmt.span.start}:${e.stmt.span.start}`;
      if (reportedPairs.has(key)) return;
      reportedPairs.add(key);
      // Blame a labelled statement: a label can be changed, an automatic name cannot.
      const [blamed, partner] = e.stmt.label === undefined && other.stmt.label !== undefined ? [other, e] : [e, other];
      const base = (blamed.stmt.label ?? blamed.stmt.op).replace(/\d+$/, "");
      let k = 2;
      while (all.has(`${base}${k}`) || `${base}${k}` === blamed.stmt.label) k++;
      const labels: Label[] =
        partner.stmt === blamed.stmt ? [] : [{ span: partner.stmt.labelSpan ?? partner.stmt.span, message: describe(partner) }];
      this.report(
        diag("E0212", blamed.stmt.labelSpan ?? blamed.stmt.span, `layer name '${e.name}' is used twice in model '${this.m.name}'`, {
          labels,
          notes: [
            ...(blamed.stmt.label === undefined || blamed.copies.length > 0 ? [describe(blamed)] : []),
            "unlabelled layers are named <op><k>: the k-th unlabelled layer of that op",
          ],
          help: `rename the label, e.g. '${base}${k}:'`,
        }),
      );
    });
    return bad;
  }

  private contextNotes(e: Expanded): string[] {
    if (e.copies.length === 0) return [];
    const where = e.copies.map((c) => `copy ${c.index} of \`repeat ${c.repeat.count}\` (line ${c.repeat.span.line})`);
    return [`in ${where.join(", inside ")}`];
  }

  private inputLabel(message: string): Label {
    const prev = this.layers[this.layers.length - 1];
    return { span: prev?.span ?? this.m.input.span, message };
  }

  private tooLarge(span: Span, what: string, shape: Shape, notes: string[], perSample = true): Diagnostic {
    const per = perSample ? " per sample" : "";
    return diag("E0305", span, `${what} has ${grouped(product(shape))} elements${per}; the limit is ${grouped(MAX_ELEMENTS)} (2^31 - 1)`, {
      notes: [`${shape.join(" × ")} = ${grouped(product(shape))}`, ...notes],
      help: "use fewer channels, features or a smaller input, or downsample earlier",
    });
  }

  private inferLayer(e: Expanded, r: Resolved, input: Shape): Layer | undefined {
    const display = `${e.stmt.op} '${e.name}'`;
    const notes = this.contextNotes(e);
    const ctx: InferContext = {
      display,
      span: e.stmt.span,
      report: this.report,
      inputLabel: (message) => this.inputLabel(message),
      contextNotes: notes,
      atModelInput: this.layers.length === 0,
    };
    const inferred = r.def.infer(r.draft, input, ctx);
    if (inferred === undefined) return undefined;
    const { args, output } = inferred;
    if (product(output) > MAX_ELEMENTS) {
      this.report(this.tooLarge(e.stmt.span, `${display} output ${formatShape(output)}`, output, notes));
      return undefined;
    }
    const tensors = (specs: { suffix: string; shape: number[] }[]): Tensor[] =>
      specs.map((t) => ({ name: tensorName(e.name, t.suffix), shape: t.shape }));
    const params = tensors(r.def.params(args, input));
    const state = tensors(r.def.state(args, input));
    for (const t of [...params, ...state]) {
      if (product(t.shape) > MAX_ELEMENTS) {
        this.report(this.tooLarge(e.stmt.span, `parameter '${t.name}' ${formatShape(t.shape)}`, t.shape, notes, false));
        return undefined;
      }
    }
    const macs = r.def.macs(args, input, output);
    if (!Number.isSafeInteger(macs)) {
      this.report(
        diag("E0306", e.stmt.span, `${display} needs more than 2^53 - 1 multiply-accumulates per sample`, {
          notes: [`about ${macs.toExponential(3)} multiply-accumulates`, ...notes],
          help: "use fewer filters, a smaller kernel or a smaller input",
        }),
      );
      return undefined;
    }
    const from = [this.layers.length - 1];
    return { name: e.name, args, from, inputs: [input], input, output, params, state, macs, span: e.stmt.span, source: this.source(e.stmt.span) };
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
        }),
      );
      return undefined;
    }
    const args = readArgs({ display: `loss ${def.name}`, primary: def.primary, args: def.args }, stmt.args, stmt.span, this.report);
    if (args === undefined) return undefined;
    return { args: def.resolve(args), span: stmt.span, source: this.source(stmt.span) };
  }

  private checkLossInput(shape: Shape): void {
    const stmt = this.m.loss;
    if (stmt === undefined || shape.length === 1) return;
    const flat = product(shape);
    this.report(
      diag("E0307", stmt.span, `loss ${stmt.op} needs class scores [K], got ${formatShape(shape)}`, {
        labels: [this.inputLabel(`${formatShape(shape)} comes from here`)],
        notes: ["the loss reads one vector of K class scores per sample"],
        help: `add \`flatten\` before the loss (giving [${flat}]) or \`affine(K)\` for K classes`,
      }),
    );
  }
}
