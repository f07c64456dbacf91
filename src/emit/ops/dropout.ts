// dropout: inverted dropout. In training each element is kept with
// probability 1 − p and scaled by 1/(1 − p); the mask (0 or the scale) lives
// in the workspace, drawn from the workspace's seeded generator, and is reused
// while ws.freezeDropout is set. In eval it is the identity.
import { num, type OpEmitter } from "../context.ts";
import { elementwise } from "./elementwise.ts";

export const dropout: OpEmitter<"dropout"> = {
  inPlace: true,
  buffers(l) {
    return [
      {
        name: l.bufferName("mask"),
        kind: "float",
        length: `batch * ${l.output.size}`,
        doc: "the last training-mode mask: 0 (dropped) or 1/(1 − p)",
      },
    ];
  },
  forward(l) {
    const p = l.args.p;
    return `const mask = ${l.buffer("mask")};
    if (!train) {
      ${elementwise(l, "out[i] = inp[i];")}
    } else {
      if (!(ws.freezeDropout && ws.masksDrawn)) {
        ${elementwise(l, `mask[i] = nextUniform(ws) < ${num(p)} ? 0 : ${num(1 / (1 - p))};`)}
      }
      ${elementwise(l, "out[i] = inp[i] * mask[i];")}
    }`;
  },
  backward(l) {
    return `const mask = ${l.buffer("mask")};
    ${elementwise(l, "dIn[i] = dOut[i] * mask[i];")}`;
  },
};
