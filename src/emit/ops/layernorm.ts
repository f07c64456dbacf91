// layernorm: per sample over all of [C, H, W] (or [D]) with per-channel γ/β,
// i.e. group normalisation with one group (CS231n's; see ../normalize.ts).
import { groupNorm } from "../normalize.ts";

export const layernorm = groupNorm<"layernorm">(() => 1);
