// Expansion: a model's body — layers, block instances, repeats, ifs, seqs,
// merges, chains and references — becomes a flat list of nodes in topological
// order, each with its PyTorch-style name and the indices of the values it reads
// (docs/language.md#names). Counts are checked before anything is expanded
// (src/graph/count.ts). Reports E0203–E0205, E0208 (block arguments), E0216–E0218,
// E0221 and E0222; names are checked afterwards (src/graph/names.ts).
import type { Arg, ArgExpr, BlockAst, BodyStmt, LabelAst, LayerStmt, MergeStmt, ModelAst, SeqStmt } from "../ast.ts";
import { diag, type Diagnostic, type Span } from "../diagnostics.ts";
import type { Scope } from "../ir.ts";
import { suggest } from "../suggest.ts";
import { type Env, Evaluator, realHelp, realNotes, showVal, toValue, type Val } from "./eval.ts";

/** One layer of the expanded graph. */
export interface Node {
  kind: "layer" | "merge";
  /** the op's name as written (a merge: add, concat or mul) */
  op: string;
  /** evaluated arguments (none for a merge) */
  args: Arg[];
  stmt: LayerStmt | MergeStmt;
  /** where diagnostics point: the statement, or a merge's label and keyword */
  span: Span;
  /** the text `span` indexes (the file of the model or of the block) */
  text: string;
  name: string;
  /** node indices of the values read; -1 is the model's input */
  from: number[];
  /** for a merge: how messages name each operand */
  operandNames: string[];
  scope: Scope[];
  /** "in instantiation of …", "in copy 2 of `repeat 3` (line 4)", outermost first */
  notes: string[];
  /** how the name came about, for collisions: "labelled 'x' here" */
  naming: string;
  labelled: boolean;
}

/** How statements in the current place are named. */
interface Naming {
  /** "layer1.0." or "" */
  prefix: string;
  /** automatic names `<op><k>`: the last k per op */
  auto: Map<string, number>;
  /** copy indices of the enclosing repeats of this naming scope, for `label_<i>` */
  copies: number[];
  /** inside a seq: members are named `<prefix><i>` */
  seq?: { prefix: string; title: string; next: { n: number } };
}

interface Ctx {
  naming: Naming;
  /** labels of this model or block instance → the value they produced */
  refs: Map<string, number>;
  env: Env;
  notes: string[];
  scope: Scope[];
  text: string;
  eval: Evaluator;
}

/** A block instance's argument, evaluated. */
interface Bound {
  env: Env;
  display: string;
  /** every parameter's value, defaults included ("stride=1"), for editors */
  resolved: string[];
}

export class Expander {
  readonly nodes: Node[] = [];
  failed = false;
  private scopeIds = 0;

  constructor(
    private readonly blocks: ReadonlyMap<string, BlockAst>,
    /** blocks on a cycle or defined twice (E0219, E0220 already reported): never expanded */
    private readonly recursive: ReadonlySet<string>,
    private readonly report: (d: Diagnostic) => void,
  ) {}

  private fail = (d: Diagnostic): void => {
    if (d.severity === "error") this.failed = true;
    this.report(d);
  };

  /** The model's nodes; the output is the last node's (E0222 otherwise). */
  run(m: ModelAst, text: string): void {
    const ctx: Ctx = {
      naming: { prefix: "", auto: new Map(), copies: [] },
      refs: new Map(),
      env: new Map(),
      notes: [],
      scope: [],
      text,
      eval: new Evaluator(this.fail),
    };
    const out = this.chain(m.body, -1, ctx);
    const last = m.body[m.body.length - 1];
    if (out !== this.nodes.length - 1 && last !== undefined && !this.failed) {
      this.fail(
        diag("E0222", last.span, `model '${m.name}' ends with a reference to an earlier value`, {
          notes: ["a model's output is its last layer's value"],
          help: "remove the trailing reference, or move the layer whose value you want to the end",
        }),
      );
    }
  }

  /** Statements one after another from `value`; returns the value at the end. */
  private chain(body: readonly BodyStmt[], value: number, ctx: Ctx): number {
    let v = value;
    for (const s of body) v = this.stmt(s, v, ctx);
    return v;
  }

  private stmt(s: BodyStmt, value: number, ctx: Ctx): number {
    switch (s.kind) {
      case "layer":
        return this.blocks.has(s.op) ? this.instance(s, value, ctx) : this.layer(s, value, ctx);
      case "seq":
        return this.seq(s, value, ctx);
      case "merge":
        return this.merge(s, value, ctx);
      case "chain":
        return this.chain(s.body, value, ctx);
      case "if": {
        const cond = ctx.eval.condition(s.cond, ctx.env);
        if (cond === undefined) return value;
        if (cond) return this.chain(s.then, value, ctx);
        return s.otherwise !== undefined ? this.chain(s.otherwise, value, ctx) : value;
      }
      case "repeat": {
        const n = ctx.eval.count(s.count, ctx.env);
        if (n === undefined) return value;
        let v = value;
        for (let i = 1; i <= n; i++) {
          const env = new Map(ctx.env);
          if (s.index !== undefined) env.set(s.index.name, { kind: "int", value: i });
          const note = `in copy ${i} of \`repeat ${n}\` (line ${s.span.line})`;
          const naming = { ...ctx.naming, copies: [...ctx.naming.copies, i] };
          v = this.chain(s.body, v, { ...ctx, env, naming, notes: [...ctx.notes, note], eval: new Evaluator(this.fail, [...ctx.notes, note]) });
        }
        return v;
      }
      case "ref": {
        const v = ctx.refs.get(s.name);
        if (v !== undefined) return v;
        const known = [...ctx.refs.keys()];
        const guess = suggest(s.name, known);
        this.fail(
          diag("E0218", s.nameSpan, `no earlier statement is labelled '${s.name}' here`, {
            notes: [
              known.length > 0 ? `the labels before this point are: ${known.join(", ")}` : "no statement before this point has a label",
              ...ctx.notes,
            ],
            help: guess !== undefined ? `did you mean '@${guess}'?` : `label the statement whose value you mean, e.g. '${s.name}: conv(…)'`,
          }),
        );
        return value;
      }
    }
  }

  /** The label as it names things: placeholders filled in, else `_<copy>` per enclosing repeat. */
  private labelText(label: LabelAst, ctx: Ctx): string | undefined {
    if (!label.text.includes("{")) return label.text + ctx.naming.copies.map((c) => `_${c}`).join("");
    let ok = true;
    const text = label.text.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => {
      const v = ctx.env.get(name);
      if (v?.kind === "int" && v.value >= 0) return String(v.value);
      ok = false;
      if (v?.kind === "real") {
        this.fail(diag("E0228", label.span, `label placeholder '{${name}}' must be a whole number, got the real number ${v.text}`, { notes: [...realNotes, ...ctx.notes], help: realHelp }));
        return "";
      }
      const known = [...ctx.env.keys()];
      this.fail(
        diag("E0217", label.span, `label placeholder '{${name}}' is not a repeat index or integer parameter`, {
          notes: [known.length > 0 ? `the names in scope are: ${known.join(", ")}` : "no repeat index is in scope here", ...ctx.notes],
          help: v === undefined ? `write the repeat as \`repeat N as ${name} { … }\`` : `'${name}' is ${showVal(v)}; a placeholder takes a non-negative integer`,
        }),
      );
      return "";
    });
    return ok ? text : undefined;
  }

  /** The name of a statement here: a seq member's index or label, a label, or `<op><k>`. */
  private nameOf(label: LabelAst | undefined, op: string, ctx: Ctx): { name: string; naming: string } | undefined {
    const seq = ctx.naming.seq;
    const text = label !== undefined ? this.labelText(label, ctx) : undefined;
    if (label !== undefined && text === undefined) return undefined;
    if (seq !== undefined) {
      const i = seq.next.n++;
      if (text !== undefined) return { name: seq.prefix + text, naming: `labelled '${text}' inside seq '${seq.title}'` };
      return { name: `${seq.prefix}${i}`, naming: `member ${i} of seq '${seq.title}' (members are numbered from 0)` };
    }
    if (text !== undefined) {
      const how = text !== label!.text ? `label '${label!.text}' becomes '${text}' in this copy` : `labelled '${text}' here`;
      return { name: ctx.naming.prefix + text, naming: how };
    }
    const k = (ctx.naming.auto.get(op) ?? 0) + 1;
    ctx.naming.auto.set(op, k);
    return { name: `${ctx.naming.prefix}${op}${k}`, naming: `the ${ordinal(k)} unlabelled ${op} is named '${op}${k}' automatically` };
  }

  private evalArgs(args: readonly ArgExpr[], ctx: Ctx): Arg[] | undefined {
    const out: Arg[] = [];
    let ok = true;
    for (const a of args) {
      const v = ctx.eval.evaluate(a.value, ctx.env);
      const value = v && toValue(v, a.value.span, a.value.kind !== "number");
      if (v !== undefined && value === undefined) {
        this.fail(diag("E0216", a.value.span, `a tuple holds numbers only, got ${showVal(v)}`, { notes: ctx.notes }));
      }
      if (value === undefined) {
        ok = false;
        continue;
      }
      out.push({ ...(a.name !== undefined ? { name: a.name, nameSpan: a.nameSpan } : {}), value, span: a.span });
    }
    return ok ? out : undefined;
  }

  private layer(s: LayerStmt, value: number, ctx: Ctx): number {
    const named = this.nameOf(s.label, s.op, ctx);
    const args = this.evalArgs(s.args, ctx);
    if (named === undefined || args === undefined) return value;
    this.nodes.push({
      kind: "layer",
      op: s.op,
      args,
      stmt: s,
      span: s.span,
      text: ctx.text,
      name: named.name,
      from: [value],
      operandNames: [],
      scope: ctx.scope,
      notes: ctx.notes,
      naming: named.naming,
      labelled: s.label !== undefined,
    });
    const index = this.nodes.length - 1;
    this.register(s.label, index, ctx);
    return index;
  }

  private register(label: LabelAst | undefined, value: number, ctx: Ctx): void {
    if (label === undefined) return;
    const text = label.text.includes("{") ? this.labelText(label, ctx) : label.text;
    if (text !== undefined) ctx.refs.set(text, value);
  }

  private frame(kind: Scope["kind"], title: string, path: string, span?: Span): Scope {
    return { kind, id: this.scopeIds++, title, path, ...(span !== undefined ? { span } : {}) };
  }

  /** A labelled (or seq-member) construct gets its own naming scope `<path>.`; an unlabelled one shares this one. */
  private childNaming(label: LabelAst | undefined, ctx: Ctx, what: string): { naming: Naming; path: string } | undefined {
    const seq = ctx.naming.seq;
    if (seq === undefined && label === undefined) return { naming: { ...ctx.naming, seq: undefined }, path: ctx.naming.prefix.replace(/\.$/, "") };
    const named = this.nameOf(label, what, ctx);
    if (named === undefined) return undefined;
    return { naming: { prefix: `${named.name}.`, auto: new Map(), copies: [] }, path: named.name };
  }

  private instance(s: LayerStmt, value: number, ctx: Ctx): number {
    const block = this.blocks.get(s.op)!;
    if (this.recursive.has(block.name)) {
      this.failed = true;
      return value;
    }
    const bound = this.bind(block, s, ctx);
    const child = this.childNaming(s.label, ctx, s.op);
    if (bound === undefined || child === undefined) return value;
    const where = `${s.span.file}:${s.span.line}:${s.span.column}`;
    const notes = [...ctx.notes, `in instantiation of ${bound.display} at ${where}`];
    const frame = { ...this.frame("block", bound.display, child.path, s.span), args: bound.resolved };
    const inner: Ctx = {
      naming: child.naming,
      refs: new Map(),
      env: bound.env,
      notes,
      scope: [...ctx.scope, frame],
      text: block.text,
      eval: new Evaluator(this.fail, notes),
    };
    const out = this.chain(block.body, value, inner);
    frame.output = out;
    this.register(s.label, out, ctx);
    return out;
  }

  /** Binds an instance's arguments to the block's parameters (positional, then named, then defaults). */
  private bind(block: BlockAst, s: LayerStmt, ctx: Ctx): Bound | undefined {
    const env = new Map<string, Val>();
    const shown: string[] = [];
    const display = `block '${block.name}'`;
    const names = block.params.map((p) => p.name);
    let ok = true;
    const given = new Map<string, ArgExpr>();
    s.args.forEach((a, i) => {
      let name = a.name;
      if (name === undefined) {
        if (s.args.slice(0, i).some((b) => b.name !== undefined) || i >= block.params.length) {
          ok = false;
          this.fail(
            diag("E0208", a.span, i >= block.params.length ? `${display} takes ${block.params.length} parameter${block.params.length === 1 ? "" : "s"}, got more` : `${display}: a positional argument after a named one`, {
              notes: [`${display} takes: ${names.join(", ") || "no parameters"}`, ...ctx.notes],
              help: i >= block.params.length ? "remove it" : "name it, or move it before the named arguments",
            }),
          );
          return;
        }
        name = block.params[i].name;
      } else if (!names.includes(name)) {
        ok = false;
        const guess = suggest(name, names);
        this.fail(
          diag("E0203", a.nameSpan ?? a.span, `${display} has no parameter '${name}'`, {
            labels: [{ span: block.nameSpan, message: `'${block.name}' is defined here` }],
            notes: [`${display} takes: ${names.join(", ") || "no parameters"}`, ...ctx.notes],
            help: guess !== undefined ? `did you mean '${guess}'?` : undefined,
          }),
        );
        return;
      }
      const previous = given.get(name);
      if (previous !== undefined) {
        ok = false;
        this.fail(diag("E0204", a.span, `${display} parameter '${name}' is given twice`, { labels: [{ span: previous.span, message: "first given here" }], notes: ctx.notes, help: "remove one of them" }));
        return;
      }
      given.set(name, a);
    });
    if (!ok) return undefined;
    for (const p of block.params) {
      const a = given.get(p.name);
      let v: Val | undefined;
      if (a !== undefined) {
        v = ctx.eval.evaluate(a.value, ctx.env);
        if (v !== undefined) shown.push(a.name === undefined ? showVal(v) : `${a.name}=${showVal(v)}`);
      } else if (p.default !== undefined) {
        // defaults may use the parameters before them: `block B(c, mid = c // 4)`
        v = new Evaluator(this.fail, [...ctx.notes, `in the default of '${p.name}' of ${display}`]).evaluate(p.default, env);
      } else {
        this.fail(
          diag("E0205", s.span, `${display} needs '${p.name}'`, {
            labels: [{ span: p.span, message: `parameter '${p.name}' has no default` }],
            notes: ctx.notes,
            help: `give it, e.g. ${block.name}(${[...given.keys(), p.name].map((n) => (n === p.name ? `${n}=…` : "…")).join(", ")})`,
          }),
        );
      }
      if (v === undefined) ok = false;
      else env.set(p.name, v);
    }
    if (!ok) return undefined;
    return { env, display: `${block.name}(${shown.join(", ")})`, resolved: block.params.map((p) => `${p.name}=${showVal(env.get(p.name)!)}`) };
  }

  private seq(s: SeqStmt, value: number, ctx: Ctx): number {
    const child = this.childNaming(s.label, ctx, "seq");
    if (child === undefined) return value;
    const title = child.path || "seq";
    const prefix = child.path === "" ? "" : `${child.path}.`;
    const frame = this.frame("seq", title, child.path, s.span);
    const inner: Ctx = {
      ...ctx,
      naming: { prefix, auto: new Map(), copies: [], seq: { prefix, title, next: { n: 0 } } },
      scope: [...ctx.scope, frame],
    };
    const out = this.chain(s.body, value, inner);
    frame.output = out;
    this.register(s.label, out, ctx);
    return out;
  }

  private merge(s: MergeStmt, value: number, ctx: Ctx): number {
    const span = s.label !== undefined ? { ...s.label.span, endLine: s.opSpan.endLine, endColumn: s.opSpan.endColumn, end: s.opSpan.end } : s.opSpan;
    if (s.branches.length < 2) {
      this.fail(
        diag("E0221", span, `${s.op} has ${s.branches.length === 0 ? "no branches" : "one branch"}; it merges two or more`, {
          notes: ["each statement inside the braces is one branch; an empty chain `{}` is the merge's input unchanged", ...ctx.notes],
          help: s.op === "add" ? "add the shortcut as a branch: `{}` for the identity" : s.op === "mul" ? "add the gate as a branch beside `{}`, the value it scales" : "add the other branches to concatenate",
        }),
      );
      return value;
    }
    // In a seq the merge is one member: its branches are named inside `<member>.`
    const inSeq = ctx.naming.seq !== undefined;
    const named = inSeq ? this.nameOf(s.label, s.op, ctx) : undefined;
    if (inSeq && named === undefined) return value;
    const naming: Naming = named !== undefined ? { prefix: `${named.name}.`, auto: new Map(), copies: [] } : { ...ctx.naming, seq: undefined };
    const from: number[] = [];
    const operandNames: string[] = [];
    s.branches.forEach((b, k) => {
      const scope = [...ctx.scope, this.frame("branch", `branch ${k + 1} of ${s.op}`, "")];
      const v = this.stmt(b, value, { ...ctx, naming, scope });
      from.push(v);
      operandNames.push(
        `branch ${k + 1} (${v === value ? "the identity" : v === -1 ? "the model's input" : `'${this.nodes[v].name}'`})`,
      );
    });
    const own = named ?? this.nameOf(s.label, s.op, { ...ctx, naming: { ...ctx.naming, seq: undefined } });
    if (own === undefined) return value;
    this.nodes.push({
      kind: "merge",
      op: s.op,
      args: [],
      stmt: s,
      span,
      text: ctx.text,
      name: own.name,
      from,
      operandNames,
      scope: ctx.scope,
      notes: ctx.notes,
      naming: own.naming,
      labelled: s.label !== undefined,
    });
    const index = this.nodes.length - 1;
    this.register(s.label, index, ctx);
    return index;
  }
}

export function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? "th" : (["th", "st", "nd", "rd"][n % 10] ?? "th");
  return `${n}${suffix}`;
}
