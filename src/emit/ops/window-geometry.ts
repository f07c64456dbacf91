// Window geometry of conv, maxpool and avgpool layers: the resolved IR
// arguments laid out as the Geometry that src/emit/window.ts walks.
import type { Dims } from "../context.ts";
import { type Geometry, pixelLoop } from "../window.ts";

type Pair = [number, number];

export function windowGeometry(l: {
  input: Dims;
  output: Dims;
  args: { kernel: Pair; stride: Pair; pad: [number, number, number, number]; dilation?: Pair };
}): Geometry {
  const a = l.args;
  const [dh, dw] = a.dilation ?? [1, 1];
  return {
    h: l.input.h,
    w: l.input.w,
    oh: l.output.h,
    ow: l.output.w,
    kh: a.kernel[0],
    kw: a.kernel[1],
    sh: a.stride[0],
    sw: a.stride[1],
    dh,
    dw,
    pt: a.pad[0],
    pb: a.pad[1],
    pl: a.pad[2],
    pr: a.pad[3],
  };
}

/**
 * A pool's window walk over every sample and channel: `xn`/`yn` (sample
 * offsets), `xc`/`yc` (channel offsets) and `o` (the output index) are in
 * scope of `inside` (a window wholly inside the input) and `border`.
 */
export function eachPoolWindow(l: { input: Dims; output: Dims }, g: Geometry, inside: string, border: string): string {
  return `for (let n = 0; n < N; n++) {
      const xn = n * ${l.input.size}, yn = n * ${l.output.size};
      for (let c = 0; c < ${l.input.c}; c++) {
        const xc = xn + c * ${l.input.h * l.input.w}, yc = yn + c * ${l.output.h * l.output.w};
        ${pixelLoop(g, { before: "const o = yc + yr + ow;", inside, border, after: "" })}
      }
    }`;
}
