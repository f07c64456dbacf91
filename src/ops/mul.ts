// mul: the elementwise product of two or more values, written `mul { branch; branch … }` — a gate
// such as squeeze-and-excitation's `x * sigmoid(fc2(relu(fc1(pool(x)))))`. Every operand has the
// output's shape, or (on images) is a per-channel [C, 1, 1] that broadcasts over H×W as PyTorch's `*`
// does; the output is the largest operand's shape. Anything else is E0315 (docs/language.md#merges).
import { diag } from "../diagnostics.ts";
import { differences } from "./merge.ts";
import { defineOp, formatShape, noMacs, noTensors, type Operand, type Shape } from "./op.ts";

/** `s` multiplies into `target`: the same shape, or the same channels at 1×1. */
function fits(s: Shape, target: Shape): boolean {
  if (formatShape(s) === formatShape(target)) return true;
  return s.length === 3 && target.length === 3 && s[0] === target[0] && s[1] === 1 && s[2] === 1;
}

function help(odd: Operand, target: Operand): string {
  const [s, t] = [odd.shape, target.shape];
  if (s.length === 3 && t.length === 3 && s[0] !== t[0]) {
    const gate = s[1] === 1 && s[2] === 1 ? "" : ", after `adaptiveavgpool(1)`";
    return `a 1x1 \`conv(${t[0]}, kernel=1)\` at the end of ${odd.name}${gate} gives ${t[0]} channels`;
  }
  if (s.length === 3 && t.length === 3) return `\`adaptiveavgpool(1)\` on ${odd.name} gives [${s[0]}, 1, 1], a per-channel gate`;
  return `make ${odd.name} give ${formatShape(t)}, like ${target.name}`;
}

export const mul = defineOp<"mul", null>({
  name: "mul",
  aliases: ["multiply", "product", "prod", "gate"],
  merge: true,
  args: [],
  resolve: () => null,
  infer(_d, _input, ctx) {
    const ops = ctx.operands;
    // the operand with the most elements sets the output's shape; a [C, 1, 1] gate is never it unless all are
    const target = ops.reduce((best, o) => (o.shape.reduce((a, b) => a * b, 1) > best.shape.reduce((a, b) => a * b, 1) ? o : best), ops[0]);
    const odd = ops.find((o) => !fits(o.shape, target.shape));
    if (odd === undefined) return { args: { op: "mul" }, output: [...target.shape] };
    // a [C', 1, 1] gate differs from [C, H, W] only in its channels: its 1×1 broadcasts
    const gate = odd.shape.length === 3 && target.shape.length === 3 && odd.shape[1] === 1 && odd.shape[2] === 1;
    const facts = gate ? [`${odd.shape[0]} channels ≠ ${target.shape[0]}`] : differences(odd.shape, target.shape, false);
    ctx.report(
      diag("E0315", ctx.span, `mul needs equal shapes or a per-channel [C, 1, 1] gate: ${target.name} is ${formatShape(target.shape)} but ${odd.name} is ${formatShape(odd.shape)}`, {
        labels: [target, odd].map((o) => o.label(`${o.name} gives ${formatShape(o.shape)}`)),
        notes: [`mul multiplies elementwise, broadcasting only a [C, 1, 1] operand over H×W: ${facts.join(", ")}`, ...ctx.contextNotes],
        help: help(odd, target),
      }),
    );
    return undefined;
  },
  params: noTensors,
  state: noTensors,
  macs: noMacs,
});
