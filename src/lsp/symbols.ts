// The symbol table editor features read: what a file defines (models, labelled
// layers, repeat groups — and, with the graph language, blocks) and what refers
// to what (the producer of each layer's input; with the graph language also
// block instances, `@label` references and imports). Built from the AST and the
// checked IR, never from the text, so it follows the language as it grows:
// a new statement kind is a type error in `walkBody` until it is handled here.
import type { BodyStmt, FileAst, LayerStmt, MergeStmt, ModelAst, SeqStmt } from "../ast.ts";
import type { Span } from "../diagnostics.ts";
import type { Layer, Model, PartialModel } from "../ir.ts";

export type SymbolKind = "model" | "block" | "layer" | "repeat" | "branch";

export interface SymbolDef {
  kind: SymbolKind;
  name: string;
  /** the whole statement or model */
  span: Span;
  /** the name as written (the label, the model name), else the op */
  nameSpan: Span;
  /** e.g. the op of a labelled layer, "×4" for a repeat */
  detail: string;
  children: SymbolDef[];
}

/** A use of a name or value at `span` that an editor can follow to `target`. */
export interface SymbolRef {
  span: Span;
  target: Span;
  /** what the target is, for a hover or a peek ("input of relu3: c1") */
  description: string;
}

export interface LayerStmtInfo {
  stmt: LayerStmt;
  model: ModelAst;
}

export interface SymbolTable {
  /** top-level definitions in source order, each with its children */
  defs: SymbolDef[];
  refs: SymbolRef[];
  /** every layer statement of the parsed models, in source order */
  statements: LayerStmtInfo[];
  /** every seq and merge statement of the parsed models, in source order */
  groups: (SeqStmt | MergeStmt)[];
  /** labels a reference may name, per model (with the graph language, `@label` completes from these) */
  labels: Map<string, string[]>;
  /** names a layer statement may instantiate besides the ops (block names, once the language has blocks) */
  callables: string[];
}

/** What walking a body collects besides its definitions. */
interface Walk {
  model: ModelAst | undefined;
  statements: LayerStmtInfo[];
  groups: (SeqStmt | MergeStmt)[];
  /** every label of the body, with its span (the targets of `@label`) */
  labels: { name: string; span: Span }[];
  /** every `@label` of the body */
  references: { name: string; span: Span }[];
}

/** The definitions of a body, visiting every statement kind explicitly (a new kind is a type error here). */
function walkBody(body: readonly BodyStmt[], w: Walk): SymbolDef[] {
  const defs: SymbolDef[] = [];
  const group = (kind: SymbolKind, name: string, span: Span, nameSpan: Span, inner: readonly BodyStmt[]) =>
    defs.push({ kind, name, span, nameSpan, detail: "", children: walkBody(inner, w) });
  for (const s of body) {
    const visit: { [K in BodyStmt["kind"]]: (stmt: Extract<BodyStmt, { kind: K }>) => void } = {
      layer: (stmt) => {
        if (w.model !== undefined) w.statements.push({ stmt, model: w.model });
        if (stmt.label !== undefined) w.labels.push({ name: stmt.label.text, span: stmt.label.span });
        defs.push({
          kind: "layer",
          name: stmt.label?.text ?? stmt.op,
          span: stmt.span,
          nameSpan: stmt.label?.span ?? stmt.opSpan,
          detail: stmt.label !== undefined ? stmt.op : "",
          children: [],
        });
      },
      repeat: (stmt) => group("repeat", "repeat", stmt.span, stmt.countSpan, stmt.body),
      if: (stmt) => {
        group("branch", "if", stmt.span, stmt.headSpan, stmt.then);
        if (stmt.otherwise !== undefined) defs.push(...walkBody(stmt.otherwise, w));
      },
      seq: (stmt) => {
        if (w.model !== undefined) w.groups.push(stmt);
        if (stmt.label !== undefined) w.labels.push({ name: stmt.label.text, span: stmt.label.span });
        group("branch", stmt.label?.text ?? "seq", stmt.span, stmt.label?.span ?? stmt.keywordSpan, stmt.body);
      },
      merge: (stmt) => {
        if (w.model !== undefined) w.groups.push(stmt);
        if (stmt.label !== undefined) w.labels.push({ name: stmt.label.text, span: stmt.label.span });
        group("branch", stmt.label?.text ?? stmt.op, stmt.span, stmt.label?.span ?? stmt.opSpan, stmt.branches);
      },
      chain: (stmt) => defs.push(...walkBody(stmt.body, w)),
      ref: (stmt) => w.references.push({ name: stmt.name, span: stmt.nameSpan }),
    };
    (visit[s.kind] as (stmt: BodyStmt) => void)(s);
  }
  return defs;
}

/** The symbol table of a parsed file and its checked (and partially checked) models. */
export function buildSymbols(ast: FileAst | undefined, models: readonly (Model | PartialModel)[]): SymbolTable {
  const statements: LayerStmtInfo[] = [];
  const groups: (SeqStmt | MergeStmt)[] = [];
  const defs: SymbolDef[] = [];
  const labels = new Map<string, string[]>();
  const refs: SymbolRef[] = [];
  // `@label` goes to the label of the same model or block body
  const follow = (w: Walk) => {
    for (const r of w.references) {
      const target = w.labels.find((l) => l.name === r.name);
      if (target !== undefined) refs.push({ span: r.span, target: target.span, description: `@${r.name}: the value labelled ${r.name}` });
    }
  };
  const blocks = (ast?.blocks ?? []).filter((b) => b.file === ast?.file);
  for (const b of blocks) {
    const w: Walk = { model: undefined, statements, groups, labels: [], references: [] };
    defs.push({ kind: "block", name: b.name, span: b.span, nameSpan: b.nameSpan, detail: "block", children: walkBody(b.body, w) });
    follow(w);
  }
  for (const m of ast?.models ?? []) {
    const w: Walk = { model: m, statements, groups, labels: [], references: [] };
    const children = walkBody(m.body, w);
    defs.push({ kind: "model", name: m.name, span: m.span, nameSpan: m.nameSpan, detail: "model", children });
    labels.set(m.name, [...(labels.get(m.name) ?? []), ...w.labels.map((l) => l.name)]);
    follow(w);
  }
  // a block instance's name goes to the block in this file (definition.ts follows imported ones)
  for (const { stmt } of statements) {
    const block = blocks.find((b) => b.name === stmt.op);
    if (block !== undefined) refs.push({ span: stmt.opSpan, target: block.nameSpan, description: `instance of block ${block.name}` });
  }
  const callables = [...new Set((ast?.blocks ?? []).map((b) => b.name))];
  groups.sort((x, y) => x.span.start - y.span.start);
  return { defs, refs: [...refs, ...operandRefs(ast, statements, models)], statements, groups, labels, callables };
}

/**
 * Each layer statement's op refers to the producers of its operands: the
 * previous layer, the model's `input`, or (in graph models) whatever `from`
 * names. A statement inside `repeat` is followed from its first copy.
 */
function operandRefs(ast: FileAst | undefined, statements: readonly LayerStmtInfo[], models: readonly (Model | PartialModel)[]): SymbolRef[] {
  const stmtAt = new Map(statements.map((s) => [s.stmt.span.start, s]));
  const inputOf = new Map((ast?.models ?? []).map((m) => [m.span.start, m.input.span]));
  const refs: SymbolRef[] = [];
  for (const model of models) {
    const seen = new Set<number>();
    model.layers.forEach((layer: Layer) => {
      const info = stmtAt.get(layer.span.start);
      // a layer of an imported block has offsets in its own file
      if (info === undefined || info.stmt.span.file !== layer.span.file || seen.has(layer.span.start)) return;
      seen.add(layer.span.start);
      for (const f of layer.from) {
        const producer = f >= 0 ? model.layers[f] : undefined;
        const target = producer?.span ?? inputOf.get(model.span.start);
        if (target === undefined) continue;
        refs.push({
          span: info.stmt.opSpan,
          target,
          description: producer !== undefined ? `input of ${layer.name}: ${producer.name}` : `input of ${layer.name}: the model's input`,
        });
      }
    });
  }
  return refs;
}

/** The innermost definition or reference at an offset. */
export function refAt(table: SymbolTable, offset: number): SymbolRef | undefined {
  return table.refs.find((r) => r.span.start <= offset && offset <= r.span.end);
}

export function defAt(table: SymbolTable, offset: number): SymbolDef | undefined {
  const inside = (defs: readonly SymbolDef[]): SymbolDef | undefined => {
    for (const d of defs) {
      if (d.span.start <= offset && offset <= d.span.end) return inside(d.children) ?? (d.nameSpan.start <= offset && offset <= d.nameSpan.end ? d : undefined);
    }
    return undefined;
  };
  return inside(table.defs);
}
