// ANSI styling for terminal output. Callers decide whether colour is on
// (a TTY and no NO_COLOR); with it off every function is the identity, so
// goldens and pipes get plain text.

export interface Style {
  error(text: string): string;
  warning(text: string): string;
  /** gutters, arrows and secondary labels */
  accent(text: string): string;
  bold(text: string): string;
  ok(text: string): string;
  dim(text: string): string;
}

const sgr = (open: string) => (text: string) => (text === "" ? text : `\x1b[${open}m${text}\x1b[0m`);

export const colourStyle: Style = {
  error: sgr("1;31"),
  warning: sgr("1;33"),
  accent: sgr("1;34"),
  bold: sgr("1"),
  ok: sgr("1;32"),
  dim: sgr("2"),
};

const identity = (text: string) => text;

export const plainStyle: Style = {
  error: identity,
  warning: identity,
  accent: identity,
  bold: identity,
  ok: identity,
  dim: identity,
};

export function styleFor(colour: boolean): Style {
  return colour ? colourStyle : plainStyle;
}
