// Random stacks (valid and not) through compile(): the checker never throws,
// every checked model is internally consistent, and every diagnostic is
// well-formed (lowercase message without a final period, a span inside the
// text whose line/column agree with its offset).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compile } from "../src/pipeline.ts";

const opNames = [
  "conv", "maxpool", "avgpool", "globalavgpool", "pad", "batchnorm", "layernorm", "groupnorm",
  "affine", "flatten", "relu", "leakyrelu", "sigmoid", "tanh", "dropout", "maxpol", "Linear",
];
const argPool = [
  "2", "3", "4", "0", "0.5", "kernel=3", "kernel=(2, 3)", "kernel=1", "stride=2", "stride=(1, 3)", "pad=1",
  "pad=same", "pad=valid", "pad=(0, 1, 0, 1)", "pad=(1, 2)", "dilation=2", "groups=2", "rounding=ceil",
  "rounding=exact", "rounding=floor", "bias=false", "p=0.3", "eps=1e-3", "alpha=0.1", "count_pad=false",
  "momentum=0.5", "filters=4", "features=3", "strde=1", "kernel=same",
];

const randomLayerArb = fc
  .tuple(
    fc.option(fc.constantFrom("a", "b", "conv1", "relu2"), { nil: undefined }),
    fc.constantFrom(...opNames),
    fc.option(fc.array(fc.constantFrom(...argPool), { maxLength: 3 }), { nil: undefined }),
  )
  .map(([label, op, args]) => `${label !== undefined ? `${label}: ` : ""}${op}${args !== undefined ? `(${args.join(", ")})` : ""}`);

/** Layers that are usually valid, so that whole stacks check often enough to test the IR. */
const plausibleLayerArb = fc.oneof(
  fc
    .tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 3 }), fc.constantFrom("", ", stride=2", ", pad=same", ", pad=1", ", dilation=2, pad=same"))
    .map(([f, k, extra]) => `conv(${f}, kernel=${k}${extra})`),
  fc.constantFrom(
    "maxpool(2)", "maxpool(2, stride=1)", "maxpool(3, stride=2, pad=1)", "maxpool(2, rounding=ceil)", "avgpool(3, stride=1, pad=1)",
    "avgpool(2, pad=same)", "relu", "tanh", "sigmoid", "leakyrelu(0.1)", "dropout(0.3)", "batchnorm", "layernorm", "flatten",
    "groupnorm(1)", "globalavgpool", "pad(1)", "affine(5)", "affine(3, bias=false)",
  ),
);

const layerArb = fc.oneof({ weight: 15, arbitrary: plausibleLayerArb }, { weight: 1, arbitrary: randomLayerArb });

const bodyArb = fc.array(
  fc.oneof(
    { weight: 5, arbitrary: layerArb },
    { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.array(layerArb, { minLength: 1, maxLength: 3 })).map(([n, b]) => `repeat ${n} { ${b.join("; ")} }`) },
  ),
  { maxLength: 8 },
);

const modelArb = fc
  .tuple(
    fc.oneof(
      fc.integer({ min: 1, max: 64 }).map((d) => `[${d}]`),
      fc.tuple(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 24 }), fc.integer({ min: 1, max: 24 })).map((s) => `[${s.join(", ")}]`),
    ),
    fc.option(fc.constantFrom("floor", "ceil", "exact", "floor", "ceil", "flor"), { nil: undefined, freq: 2 }),
    bodyArb,
    fc.option(fc.constantFrom("softmax", "svm", "svm(2)", "svm(margin=0.5)", "softmax", "hinge"), { nil: undefined }),
    fc.boolean(),
  )
  .map(([input, rounding, body, loss, classifier]) =>
    [
      "model M {",
      `  input ${input}`,
      ...(rounding ? [`  rounding ${rounding}`] : []),
      ...body.map((l) => `  ${l}`),
      ...(loss && classifier ? ["  affine(4)"] : []),
      ...(loss ? [`  loss ${loss}`] : []),
      "}",
    ].join("\n"),
  );

describe("random stacks", () => {
  it("never throw, and what checks is consistent", () => {
    fc.assert(
      fc.property(modelArb, (src) => {
        const r = compile(src, "f.cnn");
        for (const d of r.diagnostics) {
          expect(d.message).toMatch(/^[a-z'`[(]/);
          expect(d.message).not.toMatch(/\.$/);
          if (d.help !== undefined) expect(d.help.length).toBeGreaterThan(0);
          expect(d.span.start).toBeGreaterThanOrEqual(0);
          expect(d.span.end).toBeLessThanOrEqual(src.length);
          const before = src.slice(0, d.span.start).split("\n");
          expect(d.span.line).toBe(before.length);
          expect(d.span.column).toBe(before[before.length - 1].length + 1);
        }
        for (const m of r.models) {
          let shape = m.input;
          let params = 0;
          for (const l of m.layers) {
            expect(l.input).toEqual(shape);
            shape = l.output;
            params += l.params.reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0);
            expect(src).toContain(l.source);
          }
          expect(m.output).toEqual(shape);
          expect(m.params).toBe(params);
          // svm reads [K]; softmax [K] or [K, H, W] (a class per position)
          if (m.loss !== null) expect(m.loss.args.op === "svm" ? [1] : [1, 3]).toContain(m.output.length);
        }
        const failed = r.diagnostics.some((d) => d.severity === "error");
        expect(r.models.length + r.partial.length).toBe(failed && r.models.length + r.partial.length === 0 ? 0 : 1);
        if (!failed) expect(r.models).toHaveLength(1);
      }),
      { numRuns: 400 },
    );
    // The generator must actually reach both outcomes, or the test above proves little.
    const outcomes = fc.sample(modelArb, { numRuns: 300, seed: 1 }).map((src) => compile(src, "f.cnn"));
    expect(outcomes.filter((r) => r.models.length === 1 && r.models[0].layers.length >= 2).length).toBeGreaterThan(20);
    expect(new Set(outcomes.flatMap((r) => r.diagnostics.map((d) => d.code))).size).toBeGreaterThan(12);
  });
});
