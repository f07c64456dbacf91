// groupnorm: PyTorch GroupNorm, per sample and group of C/G channels (see ../normalize.ts).
import { groupNorm } from "../normalize.ts";

export const groupnorm = groupNorm<"groupnorm">((l) => l.args.groups);
