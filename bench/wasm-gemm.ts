// The "wasm limit": the f32x4 matrix kernels the wasm target ships
// (src/emit-wasm/gemm.ts) timed alone at 256³, C = A·B, one thread — the
// ceiling each wasm layer's GFLOP/s is compared with. gemmNN is the forward /
// dx kernel (4×8 register block), gemmNT the dW kernel (dot products).
import { encodeModule } from "../src/emit-wasm/encoder.ts";
import { gemmNN, gemmNT, PACK_END } from "../src/emit-wasm/gemm.ts";
import { median, timeIt } from "./stats.ts";
import type { GemmResult } from "./gemm.ts";

type Api = {
  Memory: new (d: { initial: number; maximum: number }) => { buffer: ArrayBuffer };
  Instance: new (m: object, i: object) => { exports: Record<string, (...a: number[]) => void> };
  Module: new (b: Uint8Array) => object;
};

/** the two kernels alone in a module on `pages` pages of memory, exported as nn and nt (also test/wasm-gemm.test.ts) */
export function kernelsAlone(pages: number): { exports: Record<string, (...a: number[]) => void>; memory: { buffer: ArrayBuffer } } {
  const nn = gemmNN(), nt = gemmNT();
  const bytes = encodeModule({
    imports: [],
    memoryMinPages: 1,
    functions: [
      { type: nn.type, locals: nn.locals, body: nn.body, export: "nn" },
      { type: nt.type, locals: nt.locals, body: nt.body, export: "nt" },
    ],
  });
  const api = (globalThis as unknown as { WebAssembly: Api }).WebAssembly;
  const memory = new api.Memory({ initial: pages, maximum: pages });
  return { exports: new api.Instance(new api.Module(bytes), { m: { memory } }).exports, memory };
}

export function measureWasmGemm(n = 256, iters = 15): GemmResult[] {
  const { exports, memory } = kernelsAlone(Math.ceil((4 * n * n * 4 + PACK_END) / 65536));
  // gemmNN packs panels of B below PACK_END
  const a = PACK_END, b = a + 4 * n * n, bt = b + 4 * n * n, c = bt + 4 * n * n;
  const f = new Float32Array(memory.buffer);
  const A = f.subarray(a / 4, a / 4 + n * n), B = f.subarray(b / 4, b / 4 + n * n), Bt = f.subarray(bt / 4, bt / 4 + n * n);
  const C = f.subarray(c / 4, c / 4 + n * n);
  for (let i = 0; i < n * n; i++) {
    A[i] = Math.sin(i * 0.37);
    B[i] = Math.cos(i * 0.11);
  }
  for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) Bt[j * n + k] = B[k * n + j];
  const ref = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) ref[i * n + j] += A[i * n + k]! * B[k * n + j]!;
  const variants: [string, () => void][] = [
    ["wasm gemmNN 4×8 (f32x4)", () => exports.nn!(a, n, 1, b, n, c, n, n, n, n, 0, 0)],
    ["wasm gemmNT 4×2 (f32x4 dots)", () => exports.nt!(a, n, bt, n, c, n, 1, n, n, n, 0)],
  ];
  return variants.map(([name, run]) => {
    run();
    let maxErr = 0;
    for (let i = 0; i < n * n; i++) maxErr = Math.max(maxErr, Math.abs(C[i]! - ref[i]!));
    const ms = median(timeIt(run, { warmup: 5, iters }));
    return { name, ms, gflops: (2 * n * n * n) / (ms * 1e6), maxErr };
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of measureWasmGemm()) console.log(`${r.name.padEnd(30)} ${r.ms.toFixed(2)} ms  ${r.gflops.toFixed(2)} GFLOP/s  err ${r.maxErr.toExponential(1)}`);
}
