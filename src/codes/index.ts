// The registry of diagnostic codes: E01xx syntax, E02xx names and arguments,
// E03xx shapes, W04xx warnings. `cnnc explain CODE` prints an entry.
// Each range lives in its own file; a test checks every code has a fixture.
import { syntaxCodes } from "./syntax.ts";
import { argumentCodes } from "./arguments.ts";
import { shapeCodes } from "./shapes.ts";
import { cliCodes } from "./cli.ts";
import { layerCodes } from "./layers.ts";
import { paddingLossCodes } from "./padding-loss.ts";

export interface CodeInfo {
  /** one-line title, e.g. "output size is not a whole number" */
  title: string;
  /** the longer explanation, in plain prose */
  explanation: string;
  /** a small .cnn that triggers it */
  example: string;
  /** the same example fixed, and why */
  fix: string;
}

export const codes = {
  ...syntaxCodes,
  ...argumentCodes,
  ...shapeCodes,
  ...layerCodes,
  ...paddingLossCodes,
  ...cliCodes,
} as const satisfies Record<string, CodeInfo>;

export type Code = keyof typeof codes;

export function isCode(s: string): s is Code {
  return Object.prototype.hasOwnProperty.call(codes, s);
}
