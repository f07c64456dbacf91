// layout-doc: the document model prettier prints with (its src/document:
// groups that print flat when they fit, lines that break when their group
// does, indents, trailing comments that take no width) and its algorithm for
// printing one, restricted to the pieces src/emit/layout-print.ts builds. One
// addition: a `stiff` line, where prettier would break in a layout we do not
// reproduce; it measures as prettier's line does, but printing it broken
// refuses the whole piece (which then goes to prettier).

export type Doc = string | Doc[] | Group | Indent | IndentIfBreak | Line | IfBreak | LineSuffix | BreakParent;
interface Group {
  kind: "group";
  contents: Doc;
  /** prettier's conditionalGroup: layouts from flattest to most expanded (contents is the first) */
  states?: Doc[];
  /** set by propagateBreaks when the contents hold a hard line */
  broken: boolean;
  /** for indentIfBreak */
  id?: number;
}
interface Indent {
  kind: "indent";
  contents: Doc;
}
/** prettier's indentIfBreak: indented when the group `id` broke */
interface IndentIfBreak {
  kind: "indent-if-break";
  contents: Doc;
  id: number;
}
interface Line {
  kind: "line";
  /** printing it broken refuses */
  stiff?: boolean;
  /** prints nothing when flat (prettier's softline) */
  soft: boolean;
  /** always breaks (prettier's hardline) */
  hard: boolean;
}
interface IfBreak {
  kind: "if-break";
  broken: Doc;
  flat: Doc;
}
interface LineSuffix {
  kind: "line-suffix";
  contents: string;
}
interface BreakParent {
  kind: "break-parent";
}

/** Thrown anywhere in layout to mean "not ours: let prettier do it". */
export class Refuse extends Error {}
export const refuse = (): never => {
  throw new Refuse();
};

export const group = (contents: Doc, broken = false, id?: number): Doc => ({ kind: "group", contents, broken, id });
/** prettier's conditionalGroup: a break inside does not break the groups around it */
export const conditionalGroup = (states: Doc[]): Doc => ({ kind: "group", contents: states[0]!, states, broken: false });
export const indent = (contents: Doc): Doc => ({ kind: "indent", contents });
export const indentIfBreak = (contents: Doc, id: number): Doc => ({ kind: "indent-if-break", contents, id });
export const line: Doc = { kind: "line", soft: false, hard: false };
export const softline: Doc = { kind: "line", soft: true, hard: false };
export const stiffLine: Doc = { kind: "line", soft: false, hard: false, stiff: true };
export const stiffSoftline: Doc = { kind: "line", soft: true, hard: false, stiff: true };
const hardLine: Line = { kind: "line", soft: false, hard: true };
const breakParent: BreakParent = { kind: "break-parent" };
export const hardline: Doc = [hardLine, breakParent];
export const ifBreak = (broken: Doc, flat: Doc = ""): Doc => ({ kind: "if-break", broken, flat });
export const lineSuffix = (contents: string): Doc => ({ kind: "line-suffix", contents });
export const join = (separator: Doc, docs: readonly Doc[]): Doc[] => docs.flatMap((d, i) => (i === 0 ? [d] : [separator, d]));

const WIDTH = 100;

/** Marks every group that holds a hard line (or a broken group) as broken, as prettier does before printing. */
function propagateBreaks(doc: Doc): boolean {
  if (typeof doc === "string") return false;
  if (Array.isArray(doc)) {
    let any = false;
    for (const d of doc) if (propagateBreaks(d)) any = true;
    return any;
  }
  switch (doc.kind) {
    case "group": {
      // prettier looks into every state of a conditional group, but breaks none of them
      const inner = doc.states === undefined ? propagateBreaks(doc.contents) : doc.states.map(propagateBreaks).some(Boolean);
      if (inner && doc.states === undefined) doc.broken = true;
      return doc.broken;
    }
    case "indent":
    case "indent-if-break":
      return propagateBreaks(doc.contents);
    case "if-break":
      return propagateBreaks(doc.broken) || propagateBreaks(doc.flat);
    case "break-parent":
      return true;
    default:
      return false;
  }
}

/**
 * The columns a string takes. Prettier counts wide East Asian characters and
 * emoji as 2 and combining marks as 0; rather than carry those tables, take
 * only characters from ranges with neither (Latin, Greek, Cyrillic,
 * punctuation, arrows, mathematical operators) and refuse any other.
 */
function width(text: string): number {
  let ascii = true;
  for (let i = 0; i < text.length && ascii; i++) {
    const c = text.charCodeAt(i);
    ascii = c >= 0x20 && c <= 0x7e;
  }
  if (ascii) return text.length;
  let n = 0;
  for (const ch of text) {
    if (!NARROW.test(ch)) refuse();
    n++;
  }
  return n;
}
// eslint-disable-next-line no-control-regex
const NARROW = /^[\x20-\x7e\u00a0-\u00a8\u00aa-\u00ad\u00af-\u024f\u0370-\u04ff\u2010-\u2027\u2030-\u203b\u203d-\u2048\u204a-\u205e\u2070-\u209f\u2190-\u2193\u2200-\u22ff]$/;

type Mode = "flat" | "break";
type Command = [indent: number, mode: Mode, doc: Doc];

/**
 * The printer's stack of commands, kept as three parallel arrays rather than
 * an array of tuples: a piece pushes a command per node of its document, and
 * fits() walks the rest of it, so a tuple each was most of the garbage.
 */
class Commands {
  readonly indents: number[] = [];
  readonly modes: Mode[] = [];
  readonly docs: Doc[] = [];
  get length(): number {
    return this.docs.length;
  }
  push(ind: number, mode: Mode, doc: Doc): void {
    this.indents.push(ind);
    this.modes.push(mode);
    this.docs.push(doc);
  }
}

/** fits()'s own stack, reused across calls (it holds modes and docs only) */
const fitModes: Mode[] = [];
const fitDocs: Doc[] = [];

/** prettier's fits(): whether `next` fits in `room` columns, looking into the rest up to its first line break */
function fits(nextMode: Mode, nextDoc: Doc, rest: Commands, room: number): boolean {
  let restIdx = rest.length;
  let pendingSpace = false;
  fitModes.length = 0;
  fitDocs.length = 0;
  fitModes.push(nextMode);
  fitDocs.push(nextDoc);
  while (room >= 0) {
    if (fitDocs.length === 0) {
      if (restIdx === 0) return true;
      restIdx--;
      fitModes.push(rest.modes[restIdx]!);
      fitDocs.push(rest.docs[restIdx]!);
      continue;
    }
    const mode = fitModes.pop()!;
    const doc = fitDocs.pop()!;
    if (typeof doc === "string") {
      if (doc !== "" && pendingSpace) {
        room--;
        pendingSpace = false;
      }
      room -= width(doc);
    } else if (Array.isArray(doc)) {
      for (let i = doc.length - 1; i >= 0; i--) {
        fitModes.push(mode);
        fitDocs.push(doc[i]!);
      }
    } else {
      switch (doc.kind) {
        case "indent":
        case "indent-if-break":
          fitModes.push(mode);
          fitDocs.push(doc.contents);
          break;
        case "group": {
          const groupMode = doc.broken ? "break" : mode;
          fitModes.push(groupMode);
          fitDocs.push(doc.states !== undefined && groupMode === "break" ? doc.states[doc.states.length - 1]! : doc.contents);
          break;
        }
        case "if-break":
          fitModes.push(mode);
          fitDocs.push(mode === "break" ? doc.broken : doc.flat);
          break;
        case "line":
          if (mode === "break" || doc.hard) return true;
          if (!doc.soft) pendingSpace = true;
          break;
        case "line-suffix":
        case "break-parent":
          break;
      }
    }
  }
  return false;
}

/** How a group in break mode prints: flat if it fits, else (a conditional group's) first state that fits, else broken. */
function chooseLayout(d: Group, rest: Commands, room: number): [mode: Mode, doc: Doc] {
  if (!d.broken && fits("flat", d.contents, rest, room)) return ["flat", d.contents];
  if (d.states === undefined) return ["break", d.contents];
  if (!d.broken) {
    for (let i = 1; i < d.states.length - 1; i++) {
      if (fits("flat", d.states[i]!, rest, room)) return ["flat", d.states[i]!];
    }
  }
  return ["break", d.states[d.states.length - 1]!];
}

/** prettier's printDocToString, for the docs above, at its printWidth 100 and 2-space indents. */
export function printDoc(doc: Doc): string {
  propagateBreaks(doc);
  const groupModes = new Map<number, Mode>();
  const out: string[] = [];
  let pos = 0;
  let lineSuffixes: Command[] = [];
  let remeasure = false;
  const cmds = new Commands();
  cmds.push(0, "break", doc);
  while (cmds.length > 0) {
    const ind = cmds.indents.pop()!;
    const mode = cmds.modes.pop()!;
    const d = cmds.docs.pop()!;
    if (typeof d === "string") {
      out.push(d);
      pos += width(d);
    } else if (Array.isArray(d)) {
      for (let i = d.length - 1; i >= 0; i--) cmds.push(ind, mode, d[i]!);
    } else switch (d.kind) {
      case "indent":
        cmds.push(ind + 2, mode, d.contents);
        break;
      case "group": {
        let chosen: Mode;
        if (mode === "flat" && !remeasure) {
          chosen = d.broken ? "break" : "flat";
          cmds.push(ind, chosen, d.contents);
        } else {
          remeasure = false;
          const [layoutMode, contents] = chooseLayout(d, cmds, WIDTH - pos);
          chosen = layoutMode;
          cmds.push(ind, layoutMode, contents);
        }
        if (d.id !== undefined) groupModes.set(d.id, chosen);
        break;
      }
      case "indent-if-break":
        cmds.push(groupModes.get(d.id) === "break" ? ind + 2 : ind, mode, d.contents);
        break;
      case "if-break":
        cmds.push(ind, mode, mode === "break" ? d.broken : d.flat);
        break;
      case "line-suffix":
        lineSuffixes.push([ind, mode, d.contents]);
        break;
      case "break-parent":
        break;
      case "line":
        if (mode === "flat" && !d.hard) {
          if (!d.soft) {
            out.push(" ");
            pos++;
          }
          break;
        }
        if (d.stiff) throw new Refuse(out.join("").slice(-300));
        if (mode === "flat") remeasure = true;
        if (lineSuffixes.length > 0) {
          cmds.push(ind, mode, d);
          for (const [i, m, c] of lineSuffixes.reverse()) cmds.push(i, m, c);
          lineSuffixes = [];
          break;
        }
        // trailing whitespace is trimmed, as prettier does
        // (past empty pieces, such as an if-break's empty branch)
        while (out.length > 0 && /^$|[ \t]$/.test(out[out.length - 1]!)) {
          out[out.length - 1] = out[out.length - 1]!.replace(/[ \t]+$/, "");
          if (out[out.length - 1] === "") out.pop();
        }
        out.push("\n" + " ".repeat(ind));
        pos = ind;
        break;
    }
    // trailing comments still pending at the end are printed there
    if (cmds.length === 0 && lineSuffixes.length > 0) {
      for (const [i, m, c] of lineSuffixes.reverse()) cmds.push(i, m, c);
      lineSuffixes = [];
    }
  }
  return out.join("");
}
