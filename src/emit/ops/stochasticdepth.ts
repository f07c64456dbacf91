// stochasticdepth: in training one draw per sample (row) or per batch (batch) from the workspace's
// seeded generator, like dropout: the mask holds 0 (dropped) or 1/(1 − p) (0 when p = 1, as
// torchvision does not divide then) and is reused while ws.freezeDropout is set. Eval: the identity.
import { num, type OpEmitter } from "../context.ts";
import { elementwise } from "./elementwise.ts";

export const stochasticdepth: OpEmitter<"stochasticdepth"> = {
  buffers(l) {
    return [
      {
        name: l.bufferName("mask"),
        kind: "float",
        length: l.args.mode === "row" ? "batch" : "1",
        doc: `the last training-mode draw per ${l.args.mode === "row" ? "sample" : "batch"}: 0 (dropped) or 1/(1 − p)`,
      },
    ];
  },
  forward(l) {
    const p = l.args.p;
    const keep = p < 1 ? num(1 / (1 - p)) : "0";
    const draws = l.args.mode === "row" ? "N" : "1";
    const at = l.args.mode === "row" ? `mask[n]` : "mask[0]";
    return `const mask = ${l.buffer("mask")};
    if (!train) {
      ${elementwise(l, "out[i] = inp[i];")}
    } else {
      if (!(ws.freezeDropout && ws.masksDrawn)) {
        for (let i = 0; i < ${draws}; i++) mask[i] = nextUniform(ws) < ${num(p)} ? 0 : ${keep};
      }
      for (let n = 0; n < N; n++) {
        const m = ${at}, o = n * ${l.input.size};
        for (let j = o; j < o + ${l.input.size}; j++) out[j] = inp[j] * m;
      }
    }`;
  },
  backward(l) {
    const at = l.args.mode === "row" ? `mask[n]` : "mask[0]";
    return `const mask = ${l.buffer("mask")};
    for (let n = 0; n < N; n++) {
      const m = ${at}, o = n * ${l.input.size};
      for (let j = o; j < o + ${l.input.size}; j++) dIn[j] = dOut[j] * m;
    }`;
  },
};
