// relu6: min(max(x, 0), 6), derivative 1 strictly inside (0, 6), as src/emit/ops/relu6.ts.
import { clampBetween } from "./clamp.ts";

export const relu6 = clampBetween<"relu6">(() => [0, 6]);
