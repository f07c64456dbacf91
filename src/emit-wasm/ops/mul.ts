// mul: the elementwise product of two or more values (src/emit/ops/mul.ts). An operand the output's size
// is read at the element; a [C, 1, 1] gate at its sample and channel, once per H×W block. Products in
// f64 on f32 values, rounded once, as the TypeScript target (two operands: f32x4, the same numbers, since
// the f64 product of two f32 values is exact).
// Backward: each operand's gradient is dOut times the other operands, summed in f64 over H×W for a gate,
// added where another reader of the same value wrote first.
import type { WasmLayerContext, WasmOperand, WasmOpEmitter } from "../context.ts";
import { add, and, demote, type Ex, f64, i32, k, ldf, ldv, type Local, mul as times, vadd, vmul, vsplat } from "../fn.ts";

const isGate = (l: WasmLayerContext<"mul">, o: WasmOperand) => o.dims.size !== l.output.size;

/** the product of the values, left to right */
const product = (values: Ex<"f64">[]) => values.slice(1).reduce((p, v) => times(p, v), values[0]!);

/**
 * body(i) for every element; with gates, per sample and channel `before(at)` (at = n·C + c) runs first
 * and `after(at)` last. No gate: one flat loop, f32x4 over groups of four when `vector` is given.
 */
function blocks(
  l: WasmLayerContext<"mul">,
  before: (at: Local<"i32">) => void,
  body: (i: Local<"i32">) => void,
  after: (at: Local<"i32">) => void,
  vector?: (i: Local<"i32">) => void,
): void {
  const f = l.f;
  if (!l.operands.some((o) => isGate(l, o))) {
    const total = f.let(times(l.N, k(l.output.size)));
    const i = f.local("i32");
    f.set(i, k(0));
    if (vector !== undefined) f.for(i, i, and(total, i32(~3)), () => vector(i), 4);
    f.for(i, i, total, () => body(i));
    return;
  }
  const hw = l.output.h * l.output.w;
  f.loop(k(0), l.N, (n) => {
    f.loop(k(0), k(l.output.c), (c) => {
      const o = f.let(add(times(n, k(l.output.size)), times(c, k(hw))));
      const at = f.let(add(times(n, k(l.output.c)), c));
      before(at);
      f.loop(o, add(o, k(hw)), body);
      after(at);
    });
  });
}

/** x·g for a full operand x and a gate g (squeeze-and-excitation): f32x4 along each plane */
function gated(l: WasmLayerContext<"mul">, x: WasmOperand, g: WasmOperand): void {
  const f = l.f;
  const hw = l.output.h * l.output.w, whole = hw - (hw % 4);
  f.loop(k(0), l.N, (n) => {
    f.loop(k(0), k(l.output.c), (c) => {
      const o = f.let(add(times(n, k(l.output.size)), times(c, k(hw))));
      const gate = f.let(ldf(g.inp, add(times(n, k(l.output.c)), c)));
      const gv = f.let(vsplat(demote(gate)));
      if (whole > 0) f.loop(k(0), k(whole), (j) => f.stv(l.out, add(o, j), vmul(ldv(x.inp, add(o, j)), gv)), 4);
      for (let j = whole; j < hw; j++) f.stf(l.out, o, times(ldf(x.inp, o, j), gate), j);
    });
  });
}

export const mul: WasmOpEmitter<"mul"> = {
  forward(l) {
    const f = l.f;
    const [a, b] = l.operands as [WasmOperand, WasmOperand];
    if (l.operands.length === 2 && isGate(l, a) !== isGate(l, b)) return gated(l, isGate(l, a) ? b : a, isGate(l, a) ? a : b);
    const gates = new Map<number, Local<"f64">>();
    const value = (o: WasmOperand, j: number, i: Local<"i32">) => gates.get(j) ?? ldf(o.inp, i);
    const pair = l.operands.length === 2 && !l.operands.some((o) => isGate(l, o));
    blocks(
      l,
      (at) => l.operands.forEach((o, j) => isGate(l, o) && gates.set(j, f.let(ldf(o.inp, at)))),
      (i) => f.stf(l.out, i, product(l.operands.map((o, j) => value(o, j, i)))),
      () => undefined,
      pair ? (i) => f.stv(l.out, i, vmul(ldv(l.operands[0]!.inp, i), ldv(l.operands[1]!.inp, i))) : undefined,
    );
  },
  backward(l) {
    const f = l.f;
    const gates = new Map<number, Local<"f64">>();
    const sums = new Map<number, Local<"f64">>();
    const value = (o: WasmOperand, j: number, i: Local<"i32">) => gates.get(j) ?? ldf(o.inp, i);
    const others = (j: number, i: Local<"i32">) => product([ldf(l.dOut, i), ...l.operands.flatMap((o, m) => (m === j ? [] : [value(o, m, i)]))]);
    const pair = l.operands.length === 2 && !l.operands.some((o) => isGate(l, o));
    blocks(
      l,
      (at) =>
        l.operands.forEach((o, j) => {
          if (!isGate(l, o)) return;
          gates.set(j, f.let(ldf(o.inp, at)));
          sums.set(j, f.let(f64(0)));
        }),
      (i) => {
        // every operand's share is computed before any store: a gradient may share memory with dOut
        const shares = l.operands.map((o, j) => (isGate(l, o) ? undefined : f.let(others(j, i))));
        l.operands.forEach((o, j) => {
          const s = sums.get(j);
          if (s !== undefined) f.set(s, add(s, others(j, i)));
          else f.stf(o.dIn, i, o.accumulate ? add(ldf(o.dIn, i), shares[j]!) : shares[j]!);
        });
      },
      (at) => l.operands.forEach((o, j) => {
        const s = sums.get(j);
        if (s !== undefined) f.stf(o.dIn, at, o.accumulate ? add(ldf(o.dIn, at), s) : s);
      }),
      pair
        ? (i) => {
            const [a, b] = l.operands as [WasmOperand, WasmOperand];
            const d = f.let(ldv(l.dOut, i)), va = f.let(ldv(a.inp, i)), vb = f.let(ldv(b.inp, i));
            f.stv(a.dIn, i, a.accumulate ? vadd(ldv(a.dIn, i), vmul(d, vb)) : vmul(d, vb));
            f.stv(b.dIn, i, b.accumulate ? vadd(ldv(b.dIn, i), vmul(d, va)) : vmul(d, va));
          }
        : undefined,
    );
  },
};
