// hardswish: x · min(max(x + 3, 0), 6) / 6. PyTorch's derivative: 0 below −3, x/3 + 1/2 on [−3, 3],
// 1 above 3. Pattern: y = 0 exactly below −3 (and at x = 0), y > 3 exactly above 3, else the middle.
import type { OpEmitter } from "../context.ts";
import { elementwise } from "./elementwise.ts";

export const hardswish: OpEmitter<"hardswish"> = {
  forward: (l) => elementwise(l, "const v = inp[i]; const t = v + 3; out[i] = (v * (t > 0 ? (t < 6 ? t : 6) : 0)) / 6;"),
  backward: (l) => elementwise(l, "const v = inp[i]; dIn[i] = v < -3 ? 0 : v <= 3 ? dOut[i] * (v / 3 + 0.5) : dOut[i];"),
  pattern: (l) => ({
    perSample: l.output.size,
    fill: `const a = ${l.out}; for (let j = 0; j < a.length; j++) pat[k + j] = a[j] === 0 ? 0 : a[j] > 3 ? 2 : 1;`,
  }),
};
