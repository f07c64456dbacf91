// gelu: x·Φ(x), Φ the standard normal CDF, derivative Φ(x) + x·φ(x) (PyTorch's GELU); or with
// approximate=tanh 0.5·x·(1 + tanh(u)), u = √(2/π)·(x + 0.044715·x³), derivative
// 0.5·(1 + t) + 0.5·x·(1 − t²)·√(2/π)·(1 + 3·0.044715·x²).
//
// Φ(x) = (1 + erf(x/√2)) / 2 needs an erf exact to f64 (JavaScript has none). Ours, inlined into the
// layer functions: for |z| < 2.5 the series erf(z) = 2/√π · e^(−z²) · Σ (2z²)^n·z / (1·3·…·(2n+1)),
// whose terms are all positive (no cancellation; at most 38 of them); beyond, erfc(z) by its continued
// fraction e^(−z²)/√π · 1/(z + ½/(z + 1/(z + (3/2)/(z + …)))), 40 terms from z = 2.5 and 90 from 1.5.
// e^(−z²) is taken as e^(−h²)·e^(−(z−h)(z+h)) with h = z rounded to 24 bits, so h² is exact and a large
// exponent loses nothing. For x ≤ −1.5·√2, Φ(x) = erfc(−x/√2)/2 directly, so the left tail keeps its
// relative precision (1 + erf would cancel). Against a 40-digit erf the error is a few units in the last
// place; Φ's relative error stays below 1e-13 in both tails (docs/language.md#gelu).
import type { OpEmitter } from "../context.ts";
import { elementwise } from "./elementwise.ts";

/** The standard normal CDF Φ as local functions of a layer function. */
const PHI = `/** e^(−z²), with z² split so that its rounding does not reach the exponential */
    function expNegSq(z: number): number {
      const h = Math.fround(z);
      return Math.exp(-h * h) * Math.exp(-(z - h) * (z + h));
    }
    /** erfc(z) for z ≥ 1.5: the continued fraction, evaluated from its last term up */
    function erfcTail(z: number): number {
      let f = z;
      for (let n = z >= 2.5 ? 40 : 90; n >= 1; n--) f = z + n / 2 / f;
      return (expNegSq(z) * 0.5641895835477563) / f;
    }
    /** erf(z) for 0 ≤ z < 2.5: the series of positive terms */
    function erfSeries(z: number): number {
      const z2 = 2 * z * z;
      let t = z, s = z;
      for (let n = 1; t > 1e-17 * s; n++) { t *= z2 / (2 * n + 1); s += t; }
      return 1.1283791670955126 * expNegSq(z) * s;
    }
    function phi(x: number): number {
      const z = x * Math.SQRT1_2;
      if (z <= -1.5) return 0.5 * erfcTail(-z);
      if (z >= 2.5) return 1 - 0.5 * erfcTail(z);
      return z >= 0 ? 0.5 + 0.5 * erfSeries(z) : 0.5 - 0.5 * erfSeries(-z);
    }`;

/** √(2/π) and 1/√(2π) */
const K = "0.7978845608028654";
const INV_SQRT_2PI = "0.3989422804014327";

export const gelu: OpEmitter<"gelu"> = {
  forward: (l) =>
    l.args.approximate === "tanh"
      ? elementwise(l, `const v = inp[i]; out[i] = 0.5 * v * (1 + Math.tanh(${K} * (v + 0.044715 * v * v * v)));`)
      : `${PHI}
    ${elementwise(l, "const v = inp[i]; out[i] = v * phi(v);")}`,
  backward: (l) =>
    l.args.approximate === "tanh"
      ? elementwise(
          l,
          `const v = inp[i], t = Math.tanh(${K} * (v + 0.044715 * v * v * v));
    dIn[i] = dOut[i] * (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * ${K} * (1 + 0.134145 * v * v));`,
        )
      : `${PHI}
    ${elementwise(l, `const v = inp[i]; dIn[i] = dOut[i] * (phi(v) + v * ${INV_SQRT_2PI} * expNegSq(v * Math.SQRT1_2));`)}`,
};
