// Kernel research driver: for each heavy conv layer of W2 and W3, every
// strategy's forward, dInput and dWeight, verified against naive f64 loops
// (at batch 2, same code generator) and timed at the workload's batch.
//   node --import tsx bench/kernels/run.ts [--quick] [--md bench/kernels/results.md]
import { writeFileSync } from "node:fs";
import { measureGemm } from "../gemm.ts";
import { fmt, markdownTable, median, timeIt } from "../stats.ts";
import { type ConvShape, convMacs, genBiasGrad, genDirect, genDirectDW, genPad, outH, outW, packWeights } from "./conv.ts";
import { makeIm2col } from "./im2col.ts";
import { maxAbsErr, naiveBackward, naiveForward } from "./naive.ts";

const conv = (name: string, N: number, C: number, H: number, F: number, K: number): ConvShape => {
  const p = (K - 1) >> 1;
  return { name, N, C, H, W: H, F, KH: K, KW: K, pt: p, pb: p, pl: p, pr: p };
};

export const SHAPES: ConvShape[] = [
  conv("W2 conv 3→32 7×7 @32×32 N50", 50, 3, 32, 32, 7),
  conv("W3 conv 3→32 3×3 @32×32 N32", 32, 3, 32, 32, 3),
  conv("W3 conv 32→32 3×3 @32×32 N32", 32, 32, 32, 32, 3),
  conv("W3 conv 32→64 3×3 @16×16 N32", 32, 32, 16, 64, 3),
  conv("W3 conv 64→64 3×3 @16×16 N32", 32, 64, 16, 64, 3),
];

function rand(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    a[i] = s / 2 ** 32 - 0.5;
  }
  return a;
}

interface Strategy {
  pass: "forward" | "forward+relu" | "dInput" | "dWeight";
  name: string;
  /** builds the runnable for a shape (its own buffers); returns the function and where its result lives */
  make(s: ConvShape, x: Float32Array, w: Float32Array, b: Float32Array, dy: Float32Array): { run: () => void; out: () => Float32Array };
}

// Compiles generated text into fn(x, xp, wp, bias, y, dy, dw, db).
function compile(body: string): (...a: Float32Array[]) => void {
  return new Function("x", "xp", "wp", "bias", "y", "dy", "dw", "db", `"use strict";\n${body}`) as (...a: Float32Array[]) => void;
}

function directForward(MB: number, NB: number, slide: boolean, relu: "none" | "fused" | "pass" = "none", inPlace = false): Strategy {
  return {
    pass: relu === "none" ? "forward" : "forward+relu",
    name: `direct ${MB}f×${NB}px${slide ? " slide" : ""}${inPlace ? ", weights in place" : ""}${relu === "none" ? "" : relu === "fused" ? ", relu fused in store" : ", separate relu pass"}`,
    make(s, x, w, b) {
      const HP = s.H + s.pt + s.pb, WP = s.W + s.pl + s.pr;
      const xp = new Float32Array(s.N * s.C * HP * WP);
      const wp = new Float32Array(w.length);
      const y = new Float32Array(s.N * s.F * outH(s) * outW(s));
      const fn = compile(
        genPad(s.N, s.C, s.H, s.W, s.pt, s.pb, s.pl, s.pr) +
          genDirect({ N: s.N, C: s.C, HP, WP, F: s.F, KH: s.KH, KW: s.KW, MB, NB, slide, bias: true, relu: relu === "fused", weights: inPlace ? "torch" : "packed" }) +
          (relu === "pass" ? `\nfor (let i = 0; i < ${y.length}; i++) { const v = y[i]; y[i] = v > 0 ? v : 0; }` : ""),
      );
      return {
        run: () => {
          if (!inPlace) packWeights(w, s.F, s.C, s.KH, s.KW, MB, false, wp);
          fn(x, xp, inPlace ? w : wp, b, y);
        },
        out: () => y,
      };
    },
  };
}

function directDInput(MB: number, NB: number, slide: boolean, inPlace = false): Strategy {
  return {
    pass: "dInput",
    name: `direct ${MB}c×${NB}px${slide ? " slide" : ""}${inPlace ? ", weights in place" : ""}`,
    make(s, _x, w, _b, dy) {
      const OH = outH(s), OW = outW(s);
      // full correlation of dy, padded by KH−1−pt etc., with flipped, transposed weights
      const qt = s.KH - 1 - s.pt, qb = s.KH - 1 - s.pb, ql = s.KW - 1 - s.pl, qr = s.KW - 1 - s.pr;
      const HP = OH + qt + qb, WP = OW + ql + qr;
      const dyp = new Float32Array(s.N * s.F * HP * WP);
      const wp = new Float32Array(w.length);
      const dx = new Float32Array(s.N * s.C * s.H * s.W);
      const fn = compile(
        genPad(s.N, s.F, OH, OW, qt, qb, ql, qr) +
          genDirect({ N: s.N, C: s.F, HP, WP, F: s.C, KH: s.KH, KW: s.KW, MB, NB, slide, bias: false, weights: inPlace ? "torch-flipped" : "packed" }),
      );
      return {
        run: () => {
          if (!inPlace) packWeights(w, s.F, s.C, s.KH, s.KW, MB, true, wp);
          fn(dy, dyp, inPlace ? w : wp, dyp, dx);
        },
        out: () => dx,
      };
    },
  };
}

function directDWeight(MB: number, KB: number): Strategy {
  return {
    pass: "dWeight",
    name: `direct ${MB}f×${KB}kx`,
    make(s, x, w, _b, dy) {
      const HP = s.H + s.pt + s.pb, WP = s.W + s.pl + s.pr;
      const xp = new Float32Array(s.N * s.C * HP * WP);
      const dw = new Float32Array(w.length);
      const db = new Float32Array(s.F);
      const fn = compile(
        genPad(s.N, s.C, s.H, s.W, s.pt, s.pb, s.pl, s.pr) +
          genDirectDW({ N: s.N, C: s.C, HP, WP, F: s.F, KH: s.KH, KW: s.KW, MB, KB }) +
          genBiasGrad(s.N, s.F, outH(s) * outW(s)),
      );
      return { run: () => fn(x, xp, w, w, w, dy, dw, db), out: () => dw };
    },
  };
}

function im2colStrategy(pass: Strategy["pass"]): Strategy {
  return {
    pass,
    name: "im2col + GEMM 4×4",
    make(s, x, w, b, dy) {
      const k = makeIm2col(s);
      const y = new Float32Array(s.N * s.F * outH(s) * outW(s));
      const dx = new Float32Array(x.length);
      const dw = new Float32Array(w.length);
      const db = new Float32Array(s.F);
      if (pass === "forward") return { run: () => k.forward(x, w, b, y), out: () => y };
      if (pass === "dInput") return { run: () => k.dInput(w, dy, dx), out: () => dx };
      return { run: () => k.dWeight(x, dy, dw, db), out: () => dw };
    },
  };
}

function strategiesFor(s: ConvShape): Strategy[] {
  const out: Strategy[] = [];
  const ow = outW(s);
  const fwd: [number, number, boolean][] = [[1, 4, false], [1, 4, true], [1, 8, true], [2, 2, true], [2, 4, true], [4, 1, false], [4, 4, false], [4, 4, true], [8, 2, false]];
  out.push(im2colStrategy("forward"));
  for (const [MB, NB, slide] of fwd) if (s.F % MB === 0 && ow % NB === 0) out.push(directForward(MB, NB, slide));
  out.push(directForward(1, 4, true, "none", true));
  out.push(directForward(1, 4, true, "fused", true), directForward(1, 4, true, "pass", true));
  out.push(im2colStrategy("dInput"));
  for (const [MB, NB, slide] of fwd) if (s.C % MB === 0 && s.W % NB === 0) out.push(directDInput(MB, NB, slide));
  if (s.C % 3 === 0) out.push(directDInput(3, 4, true));
  out.push(directDInput(1, 4, true, true));
  out.push(im2colStrategy("dWeight"));
  const dws: [number, number][] = [[1, s.KW], [2, 3], [4, 1], [4, 3], [4, 4], [8, 1], [8, 3]];
  for (const [MB, KB] of dws) if (s.F % MB === 0 && KB <= s.KW) out.push(directDWeight(MB, KB));
  return out;
}

export interface KernelRow {
  shape: string;
  pass: string;
  strategy: string;
  ms: number;
  best: number;
  gflops: number;
  bestGflops: number;
  pctLimit: number;
  maxErr: number;
}

function main() {
  const quick = process.argv.includes("--quick");
  const mdIdx = process.argv.indexOf("--md");
  const gemm = measureGemm(256, quick ? 7 : 15);
  const limit = Math.max(...gemm.map((g) => g.gflops));
  console.log(`JS GEMM limit 256³: ${gemm.map((g) => `${g.name} ${g.gflops.toFixed(2)}`).join(", ")} GFLOP/s`);
  const only = process.env.SHAPE;
  const rows: KernelRow[] = [];
  for (const full of SHAPES) {
    if (only && !full.name.includes(only)) continue;
    const small = { ...full, N: 2 };
    const x = rand(small.N * small.C * small.H * small.W, 1);
    const w = rand(small.F * small.C * small.KH * small.KW, 2);
    const b = rand(small.F, 3);
    const dy = rand(small.N * small.F * outH(small) * outW(small), 4);
    const refY = naiveForward(small, x, w, b);
    const ref = naiveBackward(small, x, w, dy);
    const X = rand(full.N * full.C * full.H * full.W, 5);
    const DY = rand(full.N * full.F * outH(full) * outW(full), 6);
    const flops = 2 * convMacs(full);
    const pick = process.env.STRAT;
    const runs: { st: Strategy; run: () => void; err: number; samples: number[] }[] = [];
    for (const st of strategiesFor(full).filter((x) => !pick || `${x.pass} ${x.name}`.includes(pick))) {
      const check = st.make(small, x, w, b, dy);
      check.run();
      const want = st.pass === "forward" ? refY : st.pass === "forward+relu" ? refY.map((v) => Math.max(v, 0)) : st.pass === "dInput" ? ref.dx : ref.dw;
      const err = maxAbsErr(check.out(), want);
      const timed = st.make(full, X, w, b, DY);
      timed.run(); // warm-up (compiles the generated function)
      runs.push({ st, run: timed.run, err, samples: [] });
    }
    // Round-robin: every strategy gets one sample per round, so a burst of load
    // on this shared 2-core machine hits all strategies alike.
    const rounds = quick ? 3 : 7;
    for (let r = 0; r < rounds; r++) for (const k of runs) k.samples.push(...timeIt(k.run, { warmup: 0, iters: 1 }));
    for (const k of runs) {
      const ms = median(k.samples);
      const best = Math.min(...k.samples);
      const row: KernelRow = { shape: full.name, pass: k.st.pass, strategy: k.st.name, ms, best, gflops: flops / (ms * 1e6), bestGflops: flops / (best * 1e6), pctLimit: 0, maxErr: k.err };
      row.pctLimit = (100 * row.gflops) / limit;
      rows.push(row);
      console.log(`${full.name} | ${row.pass} | ${row.strategy} | ${ms.toFixed(1)} ms (best ${best.toFixed(1)}) | ${row.gflops.toFixed(2)} GFLOP/s | ${row.pctLimit.toFixed(0)}% | err ${k.err.toExponential(1)}`);
    }
  }
  // the limit again after the kernels: the faster of the two runs counts
  const gemm2 = measureGemm(256, quick ? 7 : 15);
  const limit2 = Math.max(...gemm2.map((g) => g.gflops));
  if (limit2 > limit) console.log(`(GEMM limit re-measured: ${limit2.toFixed(2)} GFLOP/s; % above use the first run, ${limit.toFixed(2)})`);
  const jsonIdx = process.argv.indexOf("--json");
  if (jsonIdx > 0) writeFileSync(process.argv[jsonIdx + 1], JSON.stringify({ limit, limit2, gemm, rows }, null, 1));
  if (mdIdx > 0) {
    const md = [
      `JS GEMM limit 256³ before the kernels (${gemm.map((g) => `${g.name}: ${g.gflops.toFixed(2)}`).join("; ")} GFLOP/s) = ${limit.toFixed(2)} GFLOP/s; after: ${limit2.toFixed(2)} GFLOP/s. "% of limit" uses the first.`,
      "",
      markdownTable(
        ["layer", "pass", "strategy", "median ms", "best ms", "GFLOP/s (median)", "% of limit", "max abs err"],
        rows.map((r) => [r.shape, r.pass, r.strategy, fmt(r.ms), fmt(r.best), fmt(r.gflops), `${r.pctLimit.toFixed(0)}%`, r.maxErr.toExponential(1)]),
      ),
    ].join("\n");
    writeFileSync(process.argv[mdIdx + 1], md + "\n");
  }
}

main();
