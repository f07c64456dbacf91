// concat: two or more values joined along channels ([C, H, W]: equal H and W)
// or features ([D]). Written `concat { branch; branch … }`, like torch.cat(dim=1).
import { differences, poolFor, reportMismatch } from "./merge.ts";
import { defineOp, formatShape, noMacs, noTensors } from "./op.ts";

export const concat = defineOp<"concat", null>({
  name: "concat",
  aliases: ["cat", "concatenate", "route", "join", "stack"],
  merge: true,
  args: [],
  resolve: () => null,
  infer(_d, input, ctx) {
    const ops = ctx.operands;
    for (let i = 1; i < ops.length; i++) {
      const a = ops[0].shape;
      const b = ops[i].shape;
      if (a.length === b.length && (a.length === 1 || (a[1] === b[1] && a[2] === b[2]))) continue;
      const facts = [
        a.length !== b.length ? "operands of one rank" : "equal height and width",
        `concat joins channels; every other axis must agree: ${differences(b, a, true).join(", ")}`,
      ];
      let help = `make ${ops[i].name} give height and width ${a.length === 3 ? `${a[1]}×${a[2]}` : ""}, like ${ops[0].name}`;
      if (a.length !== b.length) help = `make both ${a.length === 1 ? "vectors (e.g. with globalavgpool)" : "[C, H, W] images"}`;
      else {
        const kh = poolFor(b[1], a[1]);
        const kw = poolFor(b[2], a[2]);
        if (kh !== undefined && kw !== undefined) {
          const k = kh === kw ? `${kh}` : `(${kh}, ${kw})`;
          help = `a \`maxpool(${k})\` on ${ops[i].name} gives ${formatShape([b[0], a[1], a[2]])}`;
        }
      }
      return reportMismatch("E0309", "concat", ctx, i, facts, help);
    }
    const output = input.length === 1 ? [ops.reduce((n, o) => n + o.shape[0], 0)] : [ops.reduce((n, o) => n + o.shape[0], 0), input[1], input[2]];
    return { args: { op: "concat" }, output };
  },
  params: noTensors,
  state: noTensors,
  macs: noMacs,
});
