// The wasm op registry: one emitter per op of the IR. A mapped type, so an op
// added to the IR without a wasm emitter is a type error here.
import type { Layer, OpName } from "../../ir.ts";
import type { WasmOpEmitter } from "../context.ts";
import { affine } from "./affine.ts";
import { avgpool } from "./avgpool.ts";
import { conv } from "./conv.ts";
import { dropout } from "./dropout.ts";
import { flatten } from "./flatten.ts";
import { globalavgpool } from "./globalavgpool.ts";
import { leakyrelu } from "./leakyrelu.ts";
import { maxpool } from "./maxpool.ts";
import { batchnorm, groupnorm, layernorm } from "./norm.ts";
import { pad } from "./pad.ts";
import { relu } from "./relu.ts";
import { sigmoid } from "./sigmoid.ts";
import { tanh } from "./tanh.ts";

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
};

export function wasmEmitterFor(layer: Layer): WasmOpEmitter<OpName> {
  return wasmOpEmitters[layer.args.op] as unknown as WasmOpEmitter<OpName>;
}
