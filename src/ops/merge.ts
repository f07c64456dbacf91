// What add and concat share: the error for operands whose shapes do not fit,
// naming both operands, pointing at each producer, and proposing the layer
// that makes the odd operand fit (docs/language.md#merges).
import type { Code } from "../codes/index.ts";
import { diag } from "../diagnostics.ts";
import { formatShape, type InferContext, type Operand, type Shape } from "./op.ts";

/** The stride s (1..n) with which a 1-wide window maps n positions to `target`, if any. */
export function strideFor(n: number, target: number): number | undefined {
  for (let s = 1; s <= n; s++) if (Math.floor((n - 1) / s) + 1 === target) return s;
  return undefined;
}

/** The pool size k (window = stride = k) that maps n positions to `target`, if any. */
export function poolFor(n: number, target: number): number | undefined {
  for (let k = 2; k <= n; k++) if (Math.floor((n - k) / k) + 1 === target) return k;
  return undefined;
}

/** Reports that operand `odd` does not fit operand 0; `facts[0]` is the rule ("equal shapes"), the rest notes. */
export function reportMismatch(
  code: Code,
  op: string,
  ctx: InferContext,
  odd: number,
  facts: string[],
  help: string,
): undefined {
  const [first] = ctx.operands;
  const other = ctx.operands[odd];
  const labels = [first, other].map((o: Operand) => o.label(`${o.name} gives ${formatShape(o.shape)}`));
  ctx.report(
    diag(code, ctx.span, `${op} needs ${facts[0]}: ${first.name} is ${formatShape(first.shape)} but ${other.name} is ${formatShape(other.shape)}`, {
      labels,
      notes: [...facts.slice(1), ...ctx.contextNotes],
      help,
    }),
  );
  return undefined;
}

/** "[64, 56, 56]" vs "[256, 28, 28]" → "64 channels ≠ 256, 56×56 ≠ 28×28" style facts. */
export function differences(a: Shape, b: Shape, skipChannels: boolean): string[] {
  if (a.length !== b.length) return [`a ${a.length === 1 ? "vector" : "[C, H, W] image"} and a ${b.length === 1 ? "vector" : "[C, H, W] image"}`];
  if (a.length === 1) return [`${a[0]} features ≠ ${b[0]}`];
  const out: string[] = [];
  if (!skipChannels && a[0] !== b[0]) out.push(`${a[0]} channels ≠ ${b[0]}`);
  if (a[1] !== b[1] || a[2] !== b[2]) out.push(`${a[1]}×${a[2]} ≠ ${b[1]}×${b[2]} (height × width)`);
  return out;
}
