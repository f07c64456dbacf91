// Conv training-step kernels for stride-1 convolutions, several strategies,
// each generated as specialised JS text (every shape a literal, the kernel
// window unrolled) exactly the way cnnc's emitter would, then compiled with
// `new Function`. Verified against the naive f64 loops in naive.ts.
//
// Layouts: x [N,C,H,W], w [F,C,KH,KW] (PyTorch), y [N,F,OH,OW], all NCHW.

export interface ConvShape {
  name: string;
  N: number;
  C: number;
  H: number;
  W: number;
  F: number;
  KH: number;
  KW: number;
  /** pads (top, bottom, left, right) */
  pt: number;
  pb: number;
  pl: number;
  pr: number;
}

export const outH = (s: ConvShape) => s.H + s.pt + s.pb - s.KH + 1;
export const outW = (s: ConvShape) => s.W + s.pl + s.pr - s.KW + 1;
export const convMacs = (s: ConvShape) => s.N * s.F * s.C * s.KH * s.KW * outH(s) * outW(s);

/** Copies x [N,C,H,W] into a zero-bordered xp [N,C,H+pt+pb,W+pl+pr] (borders stay 0). */
export function genPad(N: number, C: number, H: number, W: number, pt: number, pb: number, pl: number, pr: number): string {
  const HP = H + pt + pb;
  const WP = W + pl + pr;
  return `
  for (let nc = 0; nc < ${N * C}; nc++) {
    let s = nc * ${H * W};
    let d = nc * ${HP * WP} + ${pt * WP + pl};
    for (let i = 0; i < ${H}; i++, s += ${W}, d += ${WP}) {
      for (let j = 0; j < ${W}; j++) xp[d + j] = x[s + j];
    }
  }`;
}

/**
 * Direct correlation over a pre-padded input, register-blocked: MB output
 * channels × NB consecutive output columns share MB·NB accumulators; the
 * KH×KW window is unrolled with literal offsets; the channel loop stays a loop.
 * `slide`: per (c, ky) the NB+KW−1 input values of the row are loaded once into
 * locals (each feeds up to MB·KW FMAs) instead of loading per (kx, j).
 * Weights come pre-packed as wp[f/MB][c][ky][kx][MB] so their offsets are literal.
 */
export function genDirect(
  o: { N: number; C: number; HP: number; WP: number; F: number; KH: number; KW: number; MB: number; NB: number; slide: boolean; bias: boolean; relu?: boolean; weights?: "packed" | "torch" | "torch-flipped" },
): string {
  const { N, C, HP, WP, F, KH, KW, MB, NB } = o;
  const OH = HP - KH + 1;
  const OW = WP - KW + 1;
  if (F % MB !== 0 || OW % NB !== 0) throw new Error(`block ${MB}x${NB} does not divide F=${F}, OW=${OW}`);
  const KK = KH * KW;
  // Where weight (output channel fb·MB+m, reduction channel c, tap ky,kx) lives:
  // "packed": wp[fb][c][ky][kx][m]; "torch": w[F][C][KH][KW] read in place;
  // "torch-flipped": the dInput correlation reads the forward's w[C_out=F'][C_in=C'] in
  // place — here F is the forward's C and C the forward's F — flipped by literal offsets.
  const layout = o.weights ?? "packed";
  const wBlock = layout === "packed" ? C * KK * MB : layout === "torch" ? MB * C * KK : MB * KK;
  const wChan = layout === "packed" ? KK * MB : layout === "torch" ? KK : F * KK;
  const wTap = (m: number, ky: number, kx: number) =>
    layout === "packed" ? (ky * KW + kx) * MB + m : layout === "torch" ? m * C * KK + ky * KW + kx : m * KK + (KH - 1 - ky) * KW + (KW - 1 - kx);
  const L: string[] = [];
  const acc = (m: number, j: number) => `a${m}_${j}`;
  L.push(`for (let n = 0; n < ${N}; n++) {`);
  L.push(`  const xn = n * ${C * HP * WP};`);
  L.push(`  for (let fb = 0; fb < ${F / MB}; fb++) {`);
  L.push(`    const wf = fb * ${wBlock};`);
  if (o.bias) for (let m = 0; m < MB; m++) L.push(`    const b${m} = bias[fb * ${MB} + ${m}];`);
  L.push(`    const yf = (n * ${F} + fb * ${MB}) * ${OH * OW};`);
  L.push(`    for (let oy = 0; oy < ${OH}; oy++) {`);
  L.push(`      for (let ox = 0; ox < ${OW}; ox += ${NB}) {`);
  const accs: string[] = [];
  for (let m = 0; m < MB; m++) for (let j = 0; j < NB; j++) accs.push(`${acc(m, j)} = ${o.bias ? `b${m}` : "0"}`);
  L.push(`        let ${accs.join(", ")};`);
  L.push(`        let xo = xn + oy * ${WP} + ox;`);
  L.push(`        let wo = wf;`);
  L.push(`        for (let c = 0; c < ${C}; c++, xo += ${HP * WP}, wo += ${wChan}) {`);
  for (let ky = 0; ky < KH; ky++) {
    if (o.slide) {
      const xs: string[] = [];
      for (let t = 0; t < NB + KW - 1; t++) xs.push(`x${t} = xp[xo + ${ky * WP + t}]`);
      L.push(`          {const ${xs.join(", ")};`);
    } else L.push(`          {`);
    for (let kx = 0; kx < KW; kx++) {
      const ws: string[] = [];
      for (let m = 0; m < MB; m++) ws.push(`w${m} = wp[wo + ${wTap(m, ky, kx)}]`);
      L.push(`          {const ${ws.join(", ")};`);
      for (let j = 0; j < NB; j++) {
        const xv = o.slide ? `x${j + kx}` : `xp[xo + ${ky * WP + kx + j}]`;
        if (o.slide || MB === 1) {
          for (let m = 0; m < MB; m++) L.push(`          ${acc(m, j)} += w${m} * ${xv};`);
        } else {
          L.push(`          {const v = ${xv};`);
          for (let m = 0; m < MB; m++) L.push(`          ${acc(m, j)} += w${m} * v;`);
          L.push(`          }`);
        }
      }
      L.push(`          }`);
    }
    L.push(`          }`);
  }
  L.push(`        }`);
  for (let m = 0; m < MB; m++) {
    const st: string[] = [];
    // relu fused into the store: no second pass over y
    for (let j = 0; j < NB; j++) {
      const v = o.relu ? `${acc(m, j)} > 0 ? ${acc(m, j)} : 0` : acc(m, j);
      st.push(`y[yf + ${m * OH * OW} + oy * ${OW} + ox + ${j}] = ${v};`);
    }
    L.push(`        ${st.join(" ")}`);
  }
  L.push(`      }`);
  L.push(`    }`);
  L.push(`  }`);
  L.push(`}`);
  return L.join("\n");
}

/** wp[f/MB][c][ky][kx][MB] from w[F,C,KH,KW]; `flip` packs the dInput weights w'[c][f][KH−1−ky][KW−1−kx]. */
export function packWeights(w: Float32Array, F: number, C: number, KH: number, KW: number, MB: number, flip: boolean, wp: Float32Array): void {
  // Output channels of the correlation (F, or C when flipped) are blocked by MB.
  const OUT = flip ? C : F;
  const IN = flip ? F : C;
  let o = 0;
  for (let b = 0; b < OUT / MB; b++)
    for (let i = 0; i < IN; i++)
      for (let ky = 0; ky < KH; ky++)
        for (let kx = 0; kx < KW; kx++)
          for (let m = 0; m < MB; m++) {
            const out = b * MB + m;
            wp[o++] = flip ? w[((i * C + out) * KH + KH - 1 - ky) * KW + KW - 1 - kx] : w[((out * C + i) * KH + ky) * KW + kx];
          }
}

/**
 * dWeight, direct: dW[f,c,ky,kx] = Σ_{n,oy,ox} dy[n,f,oy,ox] · xp[n,c,oy+ky,ox+kx].
 * Register-blocked MB filters × KB consecutive kx for one (c, ky); the
 * reduction over (n, oy, ox) runs innermost, with ox unrolled by U. Each pixel:
 * MB dy loads + KB xp loads feed MB·KB accumulators (a 4×4 GEMM micro-kernel
 * whose B operand is read straight from the padded input: implicit im2col).
 */
export function genDirectDW(
  o: { N: number; C: number; HP: number; WP: number; F: number; KH: number; KW: number; MB: number; KB: number },
): string {
  const { N, C, HP, WP, F, KH, KW, MB } = o;
  const OH = HP - KH + 1;
  const OW = WP - KW + 1;
  if (F % MB !== 0) throw new Error("MB must divide F");
  const L: string[] = [];
  L.push(`for (let fb = 0; fb < ${F / MB}; fb++) {`);
  L.push(`  for (let c = 0; c < ${C}; c++) {`);
  L.push(`    for (let ky = 0; ky < ${KH}; ky++) {`);
  // kx blocks of KB (the last one may be narrower): unrolled, each a full reduction.
  for (let kx0 = 0; kx0 < KW; kx0 += o.KB) {
    const KB = Math.min(o.KB, KW - kx0);
    const acc = (m: number, j: number) => `a${m}_${j}`;
    const accs: string[] = [];
    for (let m = 0; m < MB; m++) for (let j = 0; j < KB; j++) accs.push(`${acc(m, j)} = 0`);
    L.push(`      {let ${accs.join(", ")};`);
    L.push(`      for (let n = 0; n < ${N}; n++) {`);
    L.push(`        let dyo = (n * ${F} + fb * ${MB}) * ${OH * OW};`);
    L.push(`        let xo = (n * ${C} + c) * ${HP * WP} + ky * ${WP} + ${kx0};`);
    L.push(`        for (let oy = 0; oy < ${OH}; oy++, xo += ${WP}) {`);
    L.push(`          for (let ox = 0; ox < ${OW}; ox++, dyo++) {`);
    const ds: string[] = [];
    for (let m = 0; m < MB; m++) ds.push(`d${m} = dy[dyo + ${m * OH * OW}]`);
    L.push(`            const ${ds.join(", ")};`);
    for (let j = 0; j < KB; j++) {
      L.push(`            {const v = xp[xo + ox + ${j}];`);
      for (let m = 0; m < MB; m++) L.push(`            ${acc(m, j)} += d${m} * v;`);
      L.push(`            }`);
    }
    L.push(`          }`);
    L.push(`        }`);
    L.push(`      }`);
    for (let m = 0; m < MB; m++) {
      const st: string[] = [];
      for (let j = 0; j < KB; j++) st.push(`dw[(((fb * ${MB} + ${m}) * ${C} + c) * ${KH} + ky) * ${KW} + ${kx0 + j}] = ${acc(m, j)};`);
      L.push(`      ${st.join(" ")}`);
    }
    L.push(`      }`);
  }
  L.push(`    }`);
  L.push(`  }`);
  L.push(`}`);
  return L.join("\n");
}

/** dBias[f] = Σ dy[n,f,:,:]. */
export function genBiasGrad(N: number, F: number, P: number): string {
  return `
  for (let f = 0; f < ${F}; f++) {
    let s = 0;
    for (let n = 0; n < ${N}; n++) {
      const o = (n * ${F} + f) * ${P};
      for (let p = 0; p < ${P}; p++) s += dy[o + p];
    }
    db[f] = s;
  }`;
}
