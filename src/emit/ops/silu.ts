// silu: x · σ(x); the derivative σ(x) · (1 + x · (1 − σ(x))).
import type { OpEmitter } from "../context.ts";
import { elementwise } from "./elementwise.ts";

export const silu: OpEmitter<"silu"> = {
  forward: (l) => elementwise(l, "const v = inp[i]; out[i] = v / (1 + Math.exp(-v));"),
  backward: (l) => elementwise(l, "const v = inp[i]; const s = 1 / (1 + Math.exp(-v)); dIn[i] = dOut[i] * s * (1 + v * (1 - s));"),
};
