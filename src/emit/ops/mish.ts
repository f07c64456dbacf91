// mish: x · tanh(log(1 + e^x)); the derivative tanh(sp) + x · σ(x) · (1 − tanh(sp)²) (PyTorch).
import type { OpEmitter } from "../context.ts";
import { elementwise } from "./elementwise.ts";

export const mish: OpEmitter<"mish"> = {
  forward: (l) => elementwise(l, "const v = inp[i]; out[i] = v * Math.tanh(Math.log1p(Math.exp(v)));"),
  backward: (l) =>
    elementwise(
      l,
      "const v = inp[i]; const t = Math.tanh(Math.log1p(Math.exp(v))), s = 1 / (1 + Math.exp(-v)); dIn[i] = dOut[i] * (t + v * s * (1 - t * t));",
    ),
};
