// add: the elementwise sum of two or more values of one shape (a residual
// connection). Written `add { branch; branch … }`; the output has that shape.
import { differences, reportMismatch, strideFor } from "./merge.ts";
import { defineOp, formatShape, noMacs, noTensors, type Shape } from "./op.ts";

/** The layer that turns `from` into `to`, if a 1x1 conv or an affine can. */
function projection(from: Shape, to: Shape): { layer: string; gives: Shape } | undefined {
  if (from.length === 1 && to.length === 1) return { layer: `affine(${to[0]})`, gives: to };
  if (from.length !== 3 || to.length !== 3) return undefined;
  const sh = strideFor(from[1], to[1]);
  const sw = strideFor(from[2], to[2]);
  if (sh === undefined || sw === undefined) return undefined;
  const stride = sh === sw ? (sh === 1 ? "" : `, stride=${sh}`) : `, stride=(${sh}, ${sw})`;
  return { layer: `conv(${to[0]}, kernel=1${stride}, bias=false)`, gives: to };
}

export const add = defineOp<"add", null>({
  name: "add",
  aliases: ["sum", "residual", "shortcut", "plus"],
  merge: true,
  args: [],
  resolve: () => null,
  infer(_d, input, ctx) {
    const ops = ctx.operands;
    for (let i = 1; i < ops.length; i++) {
      const a = ops[0].shape;
      const b = ops[i].shape;
      if (formatShape(a) === formatShape(b)) continue;
      const facts = [
        "equal shapes",
        `add sums elementwise: ${differences(b, a, false).join(", ")}`,
      ];
      const p = projection(b, a);
      const help =
        p !== undefined
          ? `a ${p.layer.startsWith("affine") ? "" : "1x1 "}\`${p.layer}\` on ${ops[i].name} gives ${formatShape(p.gives)}`
          : `make ${ops[i].name} give ${formatShape(a)}, like ${ops[0].name}`;
      return reportMismatch("E0308", "add", ctx, i, facts, help);
    }
    return { args: { op: "add" }, output: [...input] };
  },
  params: noTensors,
  state: noTensors,
  macs: noMacs,
});
