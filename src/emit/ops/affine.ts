// affine: PyTorch Linear, y = W·x + b with W [M, D]; a [C, H, W] input is
// read as D = C·H·W in NCHW order (no copy). Register-blocked loops
// (bench/KERNELS.md, "Affine layers"), every inner loop unit-stride, every
// output written once (no fill, no read-modify-write):
// - forward: 2 samples × 5 outputs of accumulators, reduced along D;
// - dW: 5 outputs × 4 inputs, reduced over the batch;
// - dX: 2 samples × 4 inputs, reduced over the M outputs.
// Remainders (M % 5, D % 4, an odd batch) run the same code with a smaller block.
import { plus, type OpEmitter } from "../context.ts";

/** Samples per block (the batch N is only known at run time). */
const RN = 2;
/** Outputs per block. */
const RM = 5;
/** Inputs per block. */
const RI = 4;

const range = (k: number) => Array.from({ length: k }, (_, s) => s);
const list = (k: number, f: (s: number) => string, sep = ", ") => range(k).map(f).join(sep);

/**
 * `body(k)` over v = 0, B, 2B, … < total (a literal extent) in blocks of B,
 * then once with v = the start and k = total % B for the remainder.
 */
function fixedBlocks(v: string, total: number, block: number, body: (k: number) => string): string {
  const main = total - (total % block);
  const parts: string[] = [];
  if (main === block) parts.push(`{
    const ${v} = 0;
    ${body(block)}
  }`);
  else if (main > 0) parts.push(`for (let ${v} = 0; ${v} < ${main}; ${v} += ${block}) {
    ${body(block)}
  }`);
  if (total % block !== 0) parts.push(`{
    const ${v} = ${main};
    ${body(total % block)}
  }`);
  return parts.join("\n");
}

/** `body(k)` for blocks of RN samples at n, then the odd last sample (k = 1). */
function sampleBlocks(body: (k: number) => string): string {
  return `for (let n = 0; n < N - ${RN - 1}; n += ${RN}) {
    ${body(RN)}
  }
  if (N % ${RN} !== 0) {
    const n = N - 1;
    ${body(1)}
  }`;
}

export const affine: OpEmitter<"affine"> = {
  init(l, _param, suffix) {
    return suffix === "weight" ? { kind: "he", fanIn: l.input.size } : { kind: "fill", value: 0 };
  },

  forward(l) {
    const d = l.input.size;
    const m = l.args.features;
    const b = l.args.bias ? l.param("bias") : "";
    // a{q}_{r}: sample n + q, output j + r
    const block = (rn: number, rm: number) => `const ${list(rn, (q) => `x${q} = (${plus("n", q)}) * ${d}`)};
      const ${list(rm, (r) => `w${r} = (${plus("j", r)}) * ${d}`)};
      let ${list(rn * rm, (k) => `a${Math.floor(k / rm)}_${k % rm} = ${b === "" ? "0" : `${b}[${plus("j", k % rm)}]`}`)};
      for (let i = 0; i < ${d}; i++) {
        const ${list(rn, (q) => `u${q} = inp[x${q} + i]`)};
        const ${list(rm, (r) => `v${r} = w[w${r} + i]`)};
        ${list(rn * rm, (k) => `a${Math.floor(k / rm)}_${k % rm} += u${Math.floor(k / rm)} * v${k % rm};`, " ")}
      }
      ${list(rn * rm, (k) => `out[(${plus("n", Math.floor(k / rm))}) * ${m} + ${plus("j", k % rm)}] = a${Math.floor(k / rm)}_${k % rm};`, " ")}`;
    return `const w = ${l.param("weight")};
    ${sampleBlocks((rn) => fixedBlocks("j", m, RM, (rm) => block(rn, rm)))}`;
  },

  backward(l) {
    const d = l.input.size;
    const m = l.args.features;
    const bias = l.args.bias
      ? `const gb = ${l.grad("bias")};
      for (let j = 0; j < ${m}; j++) {
        let acc = 0;
        for (let n = 0; n < N; n++) acc += dOut[n * ${m} + j];
        gb[j] = acc;
      }`
      : "";
    // a{r}_{c}: output j + r, input i + c
    const dw = (rm: number, ri: number) => `let ${list(rm * ri, (k) => `a${Math.floor(k / ri)}_${k % ri} = 0`)};
      for (let n = 0; n < N; n++) {
        const go = n * ${m} + j, xo = n * ${d} + i;
        const ${list(rm, (r) => `g${r} = dOut[${plus("go", r)}]`)};
        const ${list(ri, (c) => `v${c} = inp[${plus("xo", c)}]`)};
        ${list(rm * ri, (k) => `a${Math.floor(k / ri)}_${k % ri} += g${Math.floor(k / ri)} * v${k % ri};`, " ")}
      }
      ${list(rm * ri, (k) => `gw[(${plus("j", Math.floor(k / ri))}) * ${d} + ${plus("i", k % ri)}] = a${Math.floor(k / ri)}_${k % ri};`, " ")}`;
    const weight = `const gw = ${l.grad("weight")};
    ${fixedBlocks("j", m, RM, (rm) => fixedBlocks("i", d, RI, (ri) => dw(rm, ri)))}`;
    // a{q}_{c}: sample n + q, input i + c
    const dx = (rn: number, ri: number) => `let ${list(rn * ri, (k) => `a${Math.floor(k / ri)}_${k % ri} = 0`)};
      for (let j = 0; j < ${m}; j++) {
        const ${list(rn, (q) => `g${q} = dOut[(${plus("n", q)}) * ${m} + j]`)};
        const wo = j * ${d} + i;
        const ${list(ri, (c) => `v${c} = w[${plus("wo", c)}]`)};
        ${list(rn * ri, (k) => `a${Math.floor(k / ri)}_${k % ri} += g${Math.floor(k / ri)} * v${k % ri};`, " ")}
      }
      ${list(rn * ri, (k) => `dIn[(${plus("n", Math.floor(k / ri))}) * ${d} + ${plus("i", k % ri)}] = a${Math.floor(k / ri)}_${k % ri};`, " ")}`;
    const input = `const w = ${l.param("weight")};
    ${sampleBlocks((rn) => fixedBlocks("i", d, RI, (ri) => dx(rn, ri)))}`;
    const parts = [
      { part: "weight", code: weight },
      { part: "input", code: input },
    ];
    if (bias !== "") parts.unshift({ part: "bias", code: bias });
    return parts;
  },
};
