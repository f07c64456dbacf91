// The wasm op registry: one emitter per op of the IR. A mapped type, so an op
// added to the IR without wasm kernels here is a type error.
import type { Layer, OpName } from "../../ir.ts";
import type { WasmOpEmitter } from "../context.ts";
import { adaptiveavgpool } from "./adaptiveavgpool.ts";
import { add } from "./add.ts";
import { affine } from "./affine.ts";
import { avgpool } from "./avgpool.ts";
import { clamp } from "./clamp.ts";
import { concat } from "./concat.ts";
import { conv as zeroPadConv } from "./conv.ts";
import { withPaddingMode } from "./conv-padding-mode.ts";
import { convtranspose } from "./convtranspose.ts";
import { dropout } from "./dropout.ts";
import { flatten } from "./flatten.ts";
import { globalavgpool } from "./globalavgpool.ts";
import { globalmaxpool } from "./globalmaxpool.ts";
import { hardsigmoid } from "./hardsigmoid.ts";
import { hardswish } from "./hardswish.ts";
import { layernorm2d } from "./layernorm2d.ts";
import { layerscale } from "./layerscale.ts";
import { leakyrelu } from "./leakyrelu.ts";
import { maxpool } from "./maxpool.ts";
import { batchnorm, groupnorm, layernorm } from "./norm.ts";
import { pad } from "./pad.ts";
import { channelshuffle, pixelshuffle, pixelunshuffle, slice } from "./permute.ts";
import { relu } from "./relu.ts";
import { relu6 } from "./relu6.ts";
import { sigmoid } from "./sigmoid.ts";
import { elu, mish, selu, silu, softplus } from "./smooth.ts";
import { softmax } from "./softmax.ts";
import { stochasticdepth } from "./stochasticdepth.ts";
import { tanh } from "./tanh.ts";
import { upsample } from "./upsample.ts";
import { gelu } from "./gelu.ts";
import { instancenorm } from "./instancenorm.ts";
import { layernormlast } from "./layernormlast.ts";
import { linear } from "./linear.ts";
import { mul } from "./mul.ts";
import { permute } from "./permute-axes.ts";
import { prelu } from "./prelu.ts";

const conv = withPaddingMode(zeroPadConv);

export const wasmOpEmitters: { [O in OpName]: WasmOpEmitter<O> } = {
  conv,
  maxpool,
  avgpool,
  globalavgpool,
  pad,
  batchnorm,
  layernorm,
  groupnorm,
  affine,
  flatten,
  relu,
  leakyrelu,
  sigmoid,
  tanh,
  dropout,
  add,
  concat,
  convtranspose,
  upsample,
  adaptiveavgpool,
  globalmaxpool,
  softmax,
  relu6,
  clamp,
  hardswish,
  hardsigmoid,
  silu,
  elu,
  selu,
  softplus,
  mish,
  layernorm2d,
  layerscale,
  channelshuffle,
  slice,
  stochasticdepth,
  pixelshuffle,
  pixelunshuffle,
  prelu,
  gelu,
  instancenorm,
  mul,
  permute,
  linear,
  layernormlast,
};

export function wasmEmitterFor(layer: Layer): WasmOpEmitter<OpName> {
  return wasmOpEmitters[layer.args.op] as WasmOpEmitter<OpName>;
}
