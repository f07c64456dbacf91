// AST arguments → typed, range-checked values with defaults filled in, against
// an op's (or loss's) ArgSpec list. Reports E0203 E0204 E0205 E0206 E0207 E0208
// E0213; the op's own resolve() then checks constraints between arguments.
import type { Arg, NumberValue, Value } from "../ast.ts";
import { diag, renameFix, type Diagnostic, type Span } from "../diagnostics.ts";
import { realHelp, realNotes } from "../graph/eval.ts";
import { suggest } from "../suggest.ts";
import { Args, type ArgSpec, type ArgType, type ArgValue, type Pad4, type ReadArg } from "./op.ts";

export interface ArgOwner {
  /** "conv", "loss svm": how messages name the owner */
  display: string;
  primary?: string;
  args: readonly ArgSpec[];
}

/** A value as the user wrote it, for messages. */
export function valueText(v: Value): string {
  switch (v.kind) {
    case "number":
      return v.text;
    case "ident":
      return v.name;
    case "tuple":
      return `(${v.items.map((i) => i.text).join(", ")})`;
  }
}

function typeDescription(t: ArgType): string {
  switch (t.kind) {
    case "int":
      return "an integer";
    case "number":
      return "a number";
    case "pair":
      return "an integer or a pair (h, w)";
    case "pad":
      return t.same
        ? "an integer, a pair (h, w), a 4-tuple (top, bottom, left, right), same or valid"
        : "an integer, a pair (h, w), a 4-tuple (top, bottom, left, right) or valid";
    case "bool":
      return "true or false";
    case "enum":
      return t.values.join(", ").replace(/, ([^,]*)$/, " or $1");
    case "numbers":
      return `a tuple of numbers, each at least ${t.min}`;
  }
}

function rangeDescription(t: ArgType & { kind: "number" }): string {
  const low = `${t.minExclusive ? "greater than" : "at least"} ${t.min}`;
  if (t.max === undefined) return low;
  const lowBracket = t.minExclusive ? "(" : "[";
  const highBracket = t.maxExclusive ? ")" : "]";
  return `in ${lowBracket}${t.min}, ${t.max}${highBracket}`;
}

/** Checks one value against its type; reports and returns undefined on a mismatch. */
function readValue(
  owner: ArgOwner,
  spec: ArgSpec,
  arg: Arg,
  report: (d: Diagnostic) => void,
): ArgValue | undefined {
  const v = arg.value;
  const t = spec.type;
  const what = `${owner.display} argument '${spec.name}'`;
  const wrongType = (extra: { help?: string } = {}): undefined => {
    report(diag("E0206", arg.span, `${what} takes ${typeDescription(t)}, got ${valueText(v)}`, extra));
    return undefined;
  };
  const intOf = (n: NumberValue, min: number, fixed = `${spec.name}=${min} or more`): number | undefined => {
    if (n.computed === true) {
      report(diag("E0228", n.span, `${what} must be a whole number, got the real number ${n.text}`, { help: realHelp, notes: realNotes }));
      return undefined;
    }
    if (!n.isInt) {
      const rounded = Math.max(min, Math.round(n.value));
      report(
        diag("E0206", n.span, `${what} must be a whole number, got ${n.text}`, {
          help: Number.isSafeInteger(rounded) ? `write ${rounded} instead of ${n.text}` : undefined,
        }),
      );
      return undefined;
    }
    if (n.value < min) {
      report(
        diag("E0207", n.span, `${what} must be at least ${min}, got ${n.text}`, {
          help: `use ${fixed}`,
        }),
      );
      return undefined;
    }
    return n.value;
  };
  const unknownKeyword = (name: string, allowed: readonly string[]): undefined => {
    const guess = suggest(name, allowed);
    report(
      diag("E0213", v.span, `${what} does not accept '${name}'`, {
        notes: [`'${spec.name}' takes ${typeDescription(t)}`],
        help: guess !== undefined ? `did you mean '${guess}'?` : `write ${allowed.map((a) => `${spec.name}=${a}`).join(" or ")}`,
        fix: guess !== undefined ? renameFix(v.span, guess) : undefined,
      }),
    );
    return undefined;
  };

  const numberHelp = { help: `write a number, e.g. ${spec.name}=${spec.example ?? String(spec.default ?? (t.kind === "int" ? 1 : 0.5))}` };
  switch (t.kind) {
    case "int":
      return v.kind === "number" ? intOf(v, t.min) : wrongType(numberHelp);
    case "number": {
      if (v.kind !== "number") return wrongType(numberHelp);
      const x = v.value;
      const tooLow = t.minExclusive ? x <= t.min : x < t.min;
      const tooHigh = t.max !== undefined && (t.maxExclusive ? x >= t.max : x > t.max);
      if (tooLow || tooHigh) {
        const help = spec.default !== undefined ? `use a value ${rangeDescription(t)}, e.g. the default ${String(spec.default)}` : undefined;
        report(diag("E0207", v.span, `${what} must be ${rangeDescription(t)}, got ${v.text}`, { help }));
        return undefined;
      }
      return x;
    }
    case "pair": {
      if (v.kind === "number") {
        const k = intOf(v, t.min);
        return k === undefined ? undefined : [k, k];
      }
      if (v.kind === "tuple" && v.items.length === 2) {
        const fixed = `${spec.name}=(${v.items.map((i) => (i.isInt && i.value >= t.min ? i.text : String(t.min))).join(", ")}): each value is at least ${t.min}`;
        const h = intOf(v.items[0], t.min, fixed);
        const w = intOf(v.items[1], t.min, fixed);
        return h === undefined || w === undefined ? undefined : [h, w];
      }
      if (v.kind === "tuple") {
        const [h, w] = v.items;
        return wrongType({ help: `write ${spec.name}=(${h.text}, ${w.text}) for height ${h.text} and width ${w.text}` });
      }
      return wrongType({ help: `write ${spec.name}=k or ${spec.name}=(h, w)` });
    }
    case "pad": {
      if (v.kind === "ident") {
        if (v.name === "valid") return { kind: "explicit", pad: [0, 0, 0, 0], form: "int" };
        if (v.name === "same") {
          if (t.same) return { kind: "same" };
          return wrongType({ help: "'same' only means something for conv and the pools; give the padding as numbers" });
        }
        return unknownKeyword(v.name, t.same ? ["same", "valid"] : ["valid"]);
      }
      if (v.kind === "number") {
        const p = intOf(v, 0);
        return p === undefined ? undefined : { kind: "explicit", pad: [p, p, p, p], form: "int" };
      }
      if (v.items.length === 2) {
        const h = intOf(v.items[0], 0);
        const w = intOf(v.items[1], 0);
        return h === undefined || w === undefined ? undefined : { kind: "explicit", pad: [h, h, w, w], form: "pair" };
      }
      if (v.items.length === 4) {
        const p = v.items.map((i) => intOf(i, 0));
        if (p.some((x) => x === undefined)) return undefined;
        return { kind: "explicit", pad: p as Pad4, form: "quad" };
      }
      return wrongType({ help: "give 2 values (h, w) or 4 values (top, bottom, left, right)" });
    }
    case "bool":
      if (v.kind !== "ident") return wrongType({ help: v.kind === "number" ? `write ${spec.name}=${v.value === 0 ? "false" : "true"}` : undefined });
      if (v.name === "true") return true;
      if (v.name === "false") return false;
      return unknownKeyword(v.name, ["true", "false"]);
    case "enum":
      if (v.kind !== "ident") return wrongType({ help: `write ${t.values.map((x) => `${spec.name}=${x}`).join(" or ")}` });
      if (t.values.includes(v.name)) return v.name;
      return unknownKeyword(v.name, t.values);
    case "numbers": {
      if (v.kind !== "tuple") return wrongType({ help: `write ${spec.name}=(${spec.example ?? "1, 2"}), one number per entry` });
      const low = v.items.find((i) => i.value < t.min);
      if (low !== undefined) {
        report(diag("E0207", low.span, `${what} must hold numbers of at least ${t.min}, got ${low.text}`, { help: `use ${t.min} or more for every entry` }));
        return undefined;
      }
      return v.items.map((i) => i.value);
    }
  }
}

/** "write kernel=3": name the required argument still missing, else list the named ones. */
function positionalHelp(owner: ArgOwner, astArgs: readonly Arg[], arg: Arg): string {
  const named = new Set(astArgs.map((a) => a.name));
  const value = valueText(arg.value);
  const missing = owner.args.find((a) => a.default === undefined && !a.optional && a.name !== owner.primary && !named.has(a.name));
  if (missing !== undefined) return `name it: ${missing.name}=${value}`;
  const fits = (t: ArgType): boolean =>
    arg.value.kind === "number"
      ? t.kind !== "bool" && t.kind !== "enum"
      : arg.value.kind === "tuple"
        ? t.kind === "pair" || t.kind === "pad" || t.kind === "numbers"
        : t.kind === "bool" || t.kind === "enum" || t.kind === "pad";
  const others = owner.args.filter((a) => a.name !== owner.primary && !named.has(a.name) && fits(a.type)).map((a) => `${a.name}=${value}`);
  return others.length > 0 ? `name it, e.g. ${others.slice(0, 3).join(" or ")}` : "remove it, or write it as name=value";
}

/**
 * Reads a layer's (or loss's) arguments. Every problem is reported; the result
 * is undefined when any argument was wrong, so that the op never sees a
 * half-checked argument list.
 */
export function readArgs(
  owner: ArgOwner,
  astArgs: readonly Arg[],
  ownerSpan: Span,
  report: (d: Diagnostic) => void,
): Args | undefined {
  let ok = true;
  // After a misplaced positional argument we cannot tell which argument it was meant to be,
  // so "missing argument" would only add noise.
  let misplacedPositional = false;
  // An unknown argument that looks like a known one (`kernel_size`) already says what to write.
  const suggested = new Set<string>();
  const fail = (d: Diagnostic): void => {
    ok = false;
    report(d);
  };
  const byName = new Map(owner.args.map((a) => [a.name, a]));
  const given = new Map<string, { read: ReadArg; arg: Arg }>();
  const aliasMap = new Map<string, string>();
  for (const a of owner.args) for (const alias of a.aliases ?? []) aliasMap.set(alias.toLowerCase(), a.name);

  astArgs.forEach((arg, index) => {
    let name: string;
    if (arg.name === undefined) {
      if (owner.primary === undefined) {
        const names = owner.args.map((a) => a.name);
        fail(
          diag("E0208", arg.span, `${owner.display} takes no positional argument`, {
            help:
              names.length === 0
                ? `${owner.display} takes no arguments at all; remove it`
                : `name it: ${names.map((n) => `${n}=…`).join(", ")}`,
          }),
        );
        return;
      }
      if (index > 0) {
        misplacedPositional = true;
        fail(
          diag("E0208", arg.span, `${owner.display} takes only one positional argument, and it comes first`, {
            notes: [`the positional argument of ${owner.display} is '${owner.primary}'; the others are named`],
            help: positionalHelp(owner, astArgs, arg),
          }),
        );
        return;
      }
      name = owner.primary;
    } else {
      name = arg.name;
    }
    const spec = byName.get(name);
    if (spec === undefined) {
      const guess = suggest(name, [...byName.keys()], aliasMap);
      if (guess !== undefined) suggested.add(guess);
      const known = owner.args.map((a) => a.name);
      fail(
        diag("E0203", arg.nameSpan ?? arg.span, `${owner.display} has no argument '${name}'`, {
          notes: [known.length === 0 ? `${owner.display} takes no arguments` : `${owner.display} takes: ${known.join(", ")}`],
          help: guess !== undefined ? `did you mean '${guess}'?` : undefined,
          fix: guess !== undefined && arg.nameSpan !== undefined ? renameFix(arg.nameSpan, guess) : undefined,
        }),
      );
      return;
    }
    const previous = given.get(name);
    if (previous !== undefined) {
      const how = previous.arg.name === undefined ? "positionally" : "by name";
      fail(
        diag("E0204", arg.span, `${owner.display} argument '${name}' is given twice`, {
          labels: [{ span: previous.arg.span, message: `first given here, ${how}` }],
          help: "remove one of them",
        }),
      );
      return;
    }
    const value = readValue(owner, spec, arg, report);
    if (value === undefined) {
      ok = false;
      return;
    }
    given.set(name, { read: { value, span: arg.span }, arg });
  });

  const values = new Map<string, ReadArg>();
  for (const spec of owner.args) {
    const g = given.get(spec.name);
    if (g !== undefined) {
      values.set(spec.name, g.read);
    } else if (spec.default !== undefined) {
      values.set(spec.name, { value: spec.default });
    } else if (!spec.optional) {
      // A positional argument that was itself wrong already reported; do not also call it missing.
      const attempted = astArgs.some((a) => a.name === spec.name || (a.name === undefined && spec.name === owner.primary));
      if (!attempted && !misplacedPositional && !suggested.has(spec.name)) {
        const example = spec.example ?? "…";
        const positional = spec.name === owner.primary;
        fail(
          diag("E0205", ownerSpan, `${owner.display} needs '${spec.name}'`, {
            notes: [`'${spec.name}': ${spec.doc}`],
            help: positional
              ? `give it first, e.g. ${owner.display}(${example}${astArgs.length > 0 ? ", …" : ""})`
              : `add ${spec.name}=${example}`,
          }),
        );
      }
      ok = false;
    }
  }
  return ok ? new Args(values, ownerSpan) : undefined;
}
