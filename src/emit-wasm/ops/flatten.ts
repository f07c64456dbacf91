// flatten: the identity on NCHW memory; its buffers are its input's (the TypeScript target aliases them), so no code.
import type { WasmOpEmitter } from "../context.ts";

export const flatten: WasmOpEmitter<"flatten"> = {
  forward: () => undefined,
  backward: () => undefined,
};
