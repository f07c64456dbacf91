// Limits checked before expanding (docs/language.md#limits): how many layers
// and block instances a body expands to, and how deeply blocks nest, computed
// from repeat counts, arguments and conditions without building anything; and
// blocks that instantiate themselves (E0219), found on the call graph.
import type { BlockAst, BodyStmt, LayerStmt } from "../ast.ts";
import { diag, type Diagnostic } from "../diagnostics.ts";
import { type Env, Evaluator, type Val } from "./eval.ts";

export const MAX_INSTANCES = 10_000;
export const MAX_DEPTH = 64;
/** Statements visited while counting; past this the model is refused as too large to count. */
const MAX_VISITS = 1_000_000;

export interface Counts {
  layers: bigint;
  instances: bigint;
  depth: number;
}

class TooLarge extends Error {}

/**
 * Counts what a body expands to. Errors in expressions count as nothing here
 * (the expansion reports them); repeats whose body does not read the index are
 * counted once and multiplied, so `repeat 100 { repeat 200 { … } }` costs two visits.
 */
export class Counter {
  private visits = 0;
  private readonly quiet = new Evaluator(() => undefined);

  constructor(
    private readonly blocks: ReadonlyMap<string, BlockAst>,
    private readonly recursive: ReadonlySet<string>,
    /** stop once this many layers are certain (the exact total is then unknown) */
    private readonly cap: bigint,
  ) {}

  /** The counts, or undefined when counting itself went past its budget. */
  count(body: readonly BodyStmt[], env: Env): Counts | undefined {
    try {
      return this.body(body, env, 0);
    } catch (e) {
      if (e instanceof TooLarge) return undefined;
      throw e;
    }
  }

  private body(body: readonly BodyStmt[], env: Env, depth: number): Counts {
    const total: Counts = { layers: 0n, instances: 0n, depth };
    for (const s of body) add(total, this.stmt(s, env, depth));
    return total;
  }

  private stmt(s: BodyStmt, env: Env, depth: number): Counts {
    if (++this.visits > MAX_VISITS) throw new TooLarge();
    switch (s.kind) {
      case "layer":
        return this.blocks.has(s.op) ? this.instance(s, env, depth) : { layers: 1n, instances: 0n, depth };
      case "seq":
      case "chain":
        return this.body(s.body, env, depth);
      case "merge": {
        const c = this.body(s.branches, env, depth);
        return { ...c, layers: c.layers + 1n };
      }
      case "ref":
        return { layers: 0n, instances: 0n, depth };
      case "if": {
        const cond = this.quiet.condition(s.cond, env);
        if (cond === undefined) return { layers: 0n, instances: 0n, depth };
        return this.body(cond ? s.then : (s.otherwise ?? []), env, depth);
      }
      case "repeat": {
        const n = this.quiet.count(s.count, env);
        if (n === undefined) return { layers: 0n, instances: 0n, depth };
        if (s.index === undefined) {
          const c = this.body(s.body, env, depth);
          return { layers: c.layers * BigInt(n), instances: c.instances * BigInt(n), depth: c.depth };
        }
        const total: Counts = { layers: 0n, instances: 0n, depth };
        for (let i = 1; i <= n && total.layers <= this.cap && total.instances <= BigInt(MAX_INSTANCES); i++) {
          add(total, this.body(s.body, new Map(env).set(s.index.name, { kind: "int", value: i }), depth));
        }
        return total;
      }
    }
  }

  private instance(s: LayerStmt, env: Env, depth: number): Counts {
    const block = this.blocks.get(s.op)!;
    if (this.recursive.has(block.name) || depth >= MAX_DEPTH) return { layers: 0n, instances: 1n, depth: depth + 1 };
    const inner = new Map<string, Val>();
    block.params.forEach((p, i) => {
      const a = s.args.find((x) => x.name === p.name) ?? (s.args[i]?.name === undefined ? s.args[i] : undefined);
      const v = a !== undefined ? this.quiet.evaluate(a.value, env) : p.default !== undefined ? this.quiet.evaluate(p.default, inner) : undefined;
      if (v !== undefined) inner.set(p.name, v);
    });
    const c = this.body(block.body, inner, depth + 1);
    return { ...c, instances: c.instances + 1n };
  }
}

function add(total: Counts, c: Counts): void {
  total.layers += c.layers;
  total.instances += c.instances;
  total.depth = Math.max(total.depth, c.depth);
}

/** Every statement of a body, nested ones included (all branches of ifs, whatever the condition). */
export function* allStmts(body: readonly BodyStmt[]): Generator<BodyStmt> {
  for (const s of body) {
    yield s;
    if (s.kind === "repeat" || s.kind === "seq" || s.kind === "chain") yield* allStmts(s.body);
    else if (s.kind === "merge") yield* allStmts(s.branches);
    else if (s.kind === "if") {
      yield* allStmts(s.then);
      yield* allStmts(s.otherwise ?? []);
    }
  }
}

/** Blocks that instantiate themselves, directly or not: E0219 once per cycle; returns every block on a cycle. */
export function findRecursion(blocks: ReadonlyMap<string, BlockAst>, report: (d: Diagnostic) => void): Set<string> {
  const calls = new Map<string, LayerStmt[]>();
  for (const [name, b] of blocks) {
    calls.set(name, [...allStmts(b.body)].filter((s): s is LayerStmt => s.kind === "layer" && blocks.has(s.op)));
  }
  const recursive = new Set<string>();
  const done = new Set<string>();
  const stack: string[] = [];
  const visit = (name: string): void => {
    stack.push(name);
    for (const call of calls.get(name) ?? []) {
      const at = stack.indexOf(call.op);
      if (at >= 0) {
        const cycle = [...stack.slice(at), call.op];
        for (const c of cycle) recursive.add(c);
        report(
          diag("E0219", call.opSpan, `block '${call.op}' instantiates itself (${cycle.join(" → ")})`, {
            labels: [{ span: blocks.get(call.op)!.nameSpan, message: `'${call.op}' is defined here` }],
            notes: ["a block's expansion must end; a block that uses itself would expand forever"],
            help: "repeat the block with `repeat N { … }` instead of nesting it in itself",
          }),
        );
      } else if (!done.has(call.op)) visit(call.op);
    }
    stack.pop();
    done.add(name);
  };
  for (const name of blocks.keys()) if (!done.has(name)) visit(name);
  return recursive;
}
