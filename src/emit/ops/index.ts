// The op registry: one emitter per op of the IR. A mapped type, so an op
// added to the IR without an emitter is a type error here.
import type { Layer, OpName } from "../../ir.ts";
import type { OpEmitter } from "../context.ts";
import { adaptiveavgpool } from "./adaptiveavgpool.ts";
import { add } from "./add.ts";
import { affine } from "./affine.ts";
import { avgpool } from "./avgpool.ts";
import { batchnorm } from "./batchnorm.ts";
import { concat } from "./concat.ts";
import { conv } from "./conv-padding-mode.ts";
import { convtranspose } from "./convtranspose.ts";
import { dropout } from "./dropout.ts";
import { flatten } from "./flatten.ts";
import { globalavgpool } from "./globalavgpool.ts";
import { globalmaxpool } from "./globalmaxpool.ts";
import { groupnorm } from "./groupnorm.ts";
import { layernorm } from "./layernorm.ts";
import { leakyrelu } from "./leakyrelu.ts";
import { maxpool } from "./maxpool.ts";
import { pad } from "./pad.ts";
import { relu } from "./relu.ts";
import { sigmoid } from "./sigmoid.ts";
import { softmax } from "./softmax.ts";
import { tanh } from "./tanh.ts";
import { upsample } from "./upsample.ts";
import { relu6 } from "./relu6.ts";
import { clamp } from "./clamp.ts";
import { hardswish } from "./hardswish.ts";
import { hardsigmoid } from "./hardsigmoid.ts";
import { silu } from "./silu.ts";
import { elu } from "./elu.ts";
import { selu } from "./selu.ts";
import { softplus } from "./softplus.ts";
import { mish } from "./mish.ts";
import { layernorm2d } from "./layernorm2d.ts";
import { layerscale } from "./layerscale.ts";
import { channelshuffle } from "./channelshuffle.ts";
import { slice } from "./slice.ts";
import { stochasticdepth } from "./stochasticdepth.ts";
import { pixelshuffle, pixelunshuffle } from "./pixelshuffle.ts";
import { prelu } from "./prelu.ts";
import { gelu } from "./gelu.ts";
import { instancenorm } from "./instancenorm.ts";
import { mul } from "./mul.ts";
import { permute } from "./permute.ts";
import { linear } from "./linear.ts";
import { layernormlast } from "./layernormlast.ts";

export const opEmitters: { [O in OpName]: OpEmitter<O> } = {
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
  convtranspose,
  upsample,
  adaptiveavgpool,
  globalmaxpool,
  softmax,
  add,
  concat,
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

/** The emitter of a layer's op, seen through the common context type. */
export function emitterFor(layer: Layer): OpEmitter<OpName> {
  return opEmitters[layer.args.op] as unknown as OpEmitter<OpName>;
}
