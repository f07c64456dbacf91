// Window geometry of maxpool/avgpool layers (dilation 1).
import type { Dims } from "../context.ts";
import type { Geometry } from "../window.ts";

type Pair = [number, number];

export function poolGeometry(l: {
  input: Dims;
  output: Dims;
  args: { kernel: Pair; stride: Pair; pad: [number, number, number, number] };
}): Geometry {
  const a = l.args;
  return {
    h: l.input.h,
    w: l.input.w,
    oh: l.output.h,
    ow: l.output.w,
    kh: a.kernel[0],
    kw: a.kernel[1],
    sh: a.stride[0],
    sw: a.stride[1],
    dh: 1,
    dw: 1,
    pt: a.pad[0],
    pb: a.pad[1],
    pl: a.pad[2],
    pr: a.pad[3],
  };
}
