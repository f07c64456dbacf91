// flatten: [C, H, W] → [C·H·W] is the identity on NCHW memory, so its output
// and gradient are its input's buffers and it emits no code.
import type { OpEmitter } from "../context.ts";

export const flatten: OpEmitter<"flatten"> = {
  alias: true,
  forward: () => "",
  backward: () => "",
};
