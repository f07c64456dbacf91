// gelu(approximate=none): PyTorch's GELU, x·Φ(x) with Φ the standard normal CDF (the exact erf form),
// or with approximate=tanh 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))); shape unchanged.
import type { ArgsOf } from "../ir.ts";
import { defineOp, noMacs, noTensors, sameShape } from "./op.ts";

export const gelu = defineOp<"gelu", ArgsOf<"gelu">>({
  name: "gelu",
  primary: "approximate",
  aliases: ["gaussianerrorlinearunit"],
  args: [
    {
      name: "approximate",
      type: { kind: "enum", values: ["none", "tanh"] },
      default: "none",
      doc: "none (x·Φ(x) with erf, exact) or tanh (the tanh approximation); default none",
      aliases: ["approximation", "approx"],
    },
  ],
  resolve: (a) => ({ op: "gelu", approximate: a.enumValue("approximate") as "none" | "tanh" }),
  infer: (d, input) => sameShape(d, input),
  params: noTensors,
  state: noTensors,
  macs: noMacs,
});
