// upsample: nn.Upsample by integer factors (sh, sw). Nearest copies each input
// pixel into an sh×sw block (the gradient sums the block). Bilinear uses half-pixel
// centres (align_corners=False): output row o reads source row
// max((o + 0.5)/sh − 0.5, 0), split between its floor and the next row (clamped
// at the last), with the fraction as weight; likewise for columns.
import type { LayerContext, OpEmitter } from "../context.ts";

type Upsample = LayerContext<"upsample">;

/** Loops over every sample and channel: `xc`/`yc` are the channel's input and output offsets. */
function eachChannel(l: Upsample, body: string): string {
  return `for (let n = 0; n < N; n++) {
    for (let c = 0; c < ${l.input.c}; c++) {
      const xc = n * ${l.input.size} + c * ${l.input.h * l.input.w}, yc = n * ${l.output.size} + c * ${l.output.h * l.output.w};
      ${body}
    }
  }`;
}

/** Nearest: `cell(o, x)` handles output index o and input index x; the block is walked from each input pixel. */
function nearest(l: Upsample, cell: (o: string, x: string) => string): string {
  const [sh, sw] = l.args.scale;
  const cols = Array.from({ length: sw }, (_, q) => cell(q === 0 ? "o" : `o + ${q}`, "i")).join("\n");
  return eachChannel(
    l,
    `for (let h = 0; h < ${l.input.h}; h++) {
      for (let r = 0; r < ${sh}; r++) {
        const xr = xc + h * ${l.input.w}, yr = yc + (h * ${sh} + r) * ${l.output.w};
        for (let w = 0; w < ${l.input.w}; w++) {
          const i = xr + w, o = yr + w * ${sw};
          ${cols}
        }
      }
    }`,
  );
}

/** Bilinear: per output pixel, rows r0/r1 (plane offsets) with weight a on r1, columns q0/q1 with weight b on q1. */
function bilinear(l: Upsample, pixel: string): string {
  const [sh, sw] = l.args.scale;
  return eachChannel(
    l,
    `for (let oh = 0; oh < ${l.output.h}; oh++) {
      const sy = Math.max((oh + 0.5) / ${sh} - 0.5, 0), h0 = Math.floor(sy), a = sy - h0;
      const r0 = xc + h0 * ${l.input.w}, r1 = h0 < ${l.input.h - 1} ? r0 + ${l.input.w} : r0;
      const yr = yc + oh * ${l.output.w};
      for (let ow = 0; ow < ${l.output.w}; ow++) {
        const sx = Math.max((ow + 0.5) / ${sw} - 0.5, 0), q0 = Math.floor(sx), b = sx - q0;
        const q1 = q0 < ${l.input.w - 1} ? q0 + 1 : q0;
        const o = yr + ow;
        ${pixel}
      }
    }`,
  );
}

export const upsample: OpEmitter<"upsample"> = {
  forward(l) {
    if (l.args.mode === "nearest") return nearest(l, (o, x) => `out[${o}] = inp[${x}];`);
    return bilinear(
      l,
      `out[o] = (1 - a) * ((1 - b) * inp[r0 + q0] + b * inp[r0 + q1]) + a * ((1 - b) * inp[r1 + q0] + b * inp[r1 + q1]);`,
    );
  },
  backward(l) {
    if (l.args.mode === "nearest") {
      const [sh, sw] = l.args.scale;
      // each input pixel sums its sh×sw block
      const taps: string[] = [];
      for (let r = 0; r < sh; r++) for (let q = 0; q < sw; q++) taps.push(`dOut[o + ${r * l.output.w + q}]`);
      return eachChannel(
        l,
        `for (let h = 0; h < ${l.input.h}; h++) {
          const xr = xc + h * ${l.input.w}, yr = yc + h * ${sh * l.output.w};
          for (let w = 0; w < ${l.input.w}; w++) {
            const o = yr + w * ${sw};
            dIn[xr + w] = ${taps.join(" + ").replace("o + 0]", "o]")};
          }
        }`,
      );
    }
    return `dIn.fill(0);
    ${bilinear(
      l,
      `const g = dOut[o], ga = g * a, gb = g - ga;
        dIn[r0 + q0] += gb * (1 - b);
        dIn[r0 + q1] += gb * b;
        dIn[r1 + q0] += ga * (1 - b);
        dIn[r1 + q1] += ga * b;`,
    )}`;
  },
};
