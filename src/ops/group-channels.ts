// The input-side rule of a grouped convolution (conv and convtranspose alike):
// the input channels split evenly into `groups`, else E0304 with a groups value
// that divides both the channels and the filters.
import { diag } from "../diagnostics.ts";
import { nearestDivisor } from "./common-args.ts";
import { formatShape, type InferContext, type Shape } from "./op.ts";

/** Whether the input's channels divide into the groups; reports E0304 when they do not. */
export function channelsDivideIntoGroups(d: { groups: number; filters: number }, input: Shape, ctx: InferContext): boolean {
  const channels = input[0]!;
  if (channels % d.groups === 0) return true;
  const g = nearestDivisor(channels, d.groups, d.filters);
  ctx.report(
    diag("E0304", ctx.span, `${ctx.display} input channels ${channels} are not divisible by groups=${d.groups}`, {
      labels: [ctx.inputLabel(`${formatShape(input)} comes from here`)],
      notes: [`each group sees C / groups = ${channels} / ${d.groups} = ${(channels / d.groups).toFixed(2)} channels`, ...ctx.contextNotes],
      help: `groups=${g} divides both the ${channels} input channels and the ${d.filters} filters`,
    }),
  );
  return false;
}
