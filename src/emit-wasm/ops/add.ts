// add: the elementwise sum of two or more values (src/emit/ops/add.ts). Two operands add in
// f32x4 (the f64 sum of two f32 values rounds to their f32 sum, so it is the TypeScript target's
// result); more are summed in f64 and rounded once, as the TypeScript target does. The backward
// hands dOut to every operand, adding where another reader of the value wrote first.
import type { WasmOpEmitter } from "../context.ts";
import { add as plus, type Ex, ldf, ldv, vadd } from "../fn.ts";
import { elementwise } from "./elementwise.ts";

export const add: WasmOpEmitter<"add"> = {
  forward(l) {
    const f = l.f;
    const ins = l.operands.map((o) => o.inp);
    elementwise(
      l,
      (i) => f.stf(l.out, i, ins.slice(1).reduce<Ex<"f64">>((s, p) => plus(s, ldf(p, i)), ldf(ins[0]!, i))),
      ins.length === 2 ? (i) => f.stv(l.out, i, vadd(ldv(ins[0]!, i), ldv(ins[1]!, i))) : undefined,
    );
  },
  backward(l) {
    const f = l.f;
    // dOut is read once per element before any store: a gradient may share dOut's memory (in place)
    elementwise(
      l,
      (i) => {
        const d = f.let(ldf(l.dOut, i));
        for (const o of l.operands) f.stf(o.dIn, i, o.accumulate ? plus(ldf(o.dIn, i), d) : d);
      },
      (i) => {
        const d = f.let(ldv(l.dOut, i));
        for (const o of l.operands) f.stv(o.dIn, i, o.accumulate ? vadd(ldv(o.dIn, i), d) : d);
      },
    );
  },
};
