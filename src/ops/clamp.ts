// clamp(min=-1, max=1): min(max(x, min), max) elementwise (PyTorch Hardtanh; relu6 is clamp(min=0, max=6)).
// min must be below max (E0240). Shape unchanged.
import { diag } from "../diagnostics.ts";
import type { ArgsOf } from "../ir.ts";
import { defineOp, noMacs, noTensors, sameShape } from "./op.ts";

export const clamp = defineOp<"clamp", ArgsOf<"clamp">>({
  name: "clamp",
  aliases: ["hardtanh", "hard_tanh", "clip"],
  args: [
    { name: "min", type: { kind: "number", min: -Infinity }, default: -1, doc: "lower bound; default -1", aliases: ["min_val", "lo", "low"] },
    { name: "max", type: { kind: "number", min: -Infinity }, default: 1, doc: "upper bound, above min; default 1", aliases: ["max_val", "hi", "high"] },
  ],
  resolve(a, ctx) {
    const min = a.number("min");
    const max = a.number("max");
    if (!(min < max)) {
      ctx.report(
        diag("E0240", a.given("max") ? a.span("max") : a.span("min"), `clamp needs min < max, got min=${min} and max=${max}`, {
          notes: ["PyTorch's Hardtanh refuses max_val <= min_val: the output would be constant"],
          help: `give a max above ${min}, e.g. clamp(min=${min}, max=${min + 1})`,
        }),
      );
      return undefined;
    }
    return { op: "clamp", min, max };
  },
  infer: (d, input) => sameShape(d, input),
  params: noTensors,
  state: noTensors,
  macs: noMacs,
});
