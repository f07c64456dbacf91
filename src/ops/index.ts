// The op registry: every layer kind and loss, by name. The checker, the docs
// and "did you mean" iterate these tables; adding a layer = one module + one line here.
import type { OpName } from "../ir.ts";
import { adaptiveavgpool } from "./adaptiveavgpool.ts";
import { add } from "./add.ts";
import { affine } from "./affine.ts";
import { avgpool } from "./avgpool.ts";
import { batchnorm } from "./batchnorm.ts";
import { concat } from "./concat.ts";
import { conv } from "./conv.ts";
import { convtranspose } from "./convtranspose.ts";
import { dropout } from "./dropout.ts";
import { flatten } from "./flatten.ts";
import { globalavgpool } from "./globalavgpool.ts";
import { globalmaxpool } from "./globalmaxpool.ts";
import { groupnorm } from "./groupnorm.ts";
import { layernorm } from "./layernorm.ts";
import { leakyrelu } from "./leakyrelu.ts";
import { maxpool } from "./maxpool.ts";
import type { AnyLossDef, AnyOpDef, LossName } from "./op.ts";
import { pad } from "./pad.ts";
import { relu } from "./relu.ts";
import { sigmoid } from "./sigmoid.ts";
import { softmax } from "./softmax.ts";
import { softmaxLayer } from "./softmax-layer.ts";
import { svm } from "./svm.ts";
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

export const ops: Readonly<Record<OpName, AnyOpDef>> = {
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
  softmax: softmaxLayer,
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

export const losses: Readonly<Record<LossName, AnyLossDef>> = { softmax, svm };

export function findOp(name: string): AnyOpDef | undefined {
  return Object.prototype.hasOwnProperty.call(ops, name) ? ops[name as OpName] : undefined;
}

export function findLoss(name: string): AnyLossDef | undefined {
  return Object.prototype.hasOwnProperty.call(losses, name) ? losses[name as LossName] : undefined;
}

/** Other spellings → our name, for "did you mean". */
export function aliasesOf(table: Readonly<Record<string, { aliases?: readonly string[] }>>): Map<string, string> {
  const m = new Map<string, string>();
  for (const [name, def] of Object.entries(table)) for (const a of def.aliases ?? []) m.set(a.toLowerCase(), name);
  return m;
}
