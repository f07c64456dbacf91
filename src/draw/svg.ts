// Checked IR (models that checked, and the checked prefix of failing ones) → one
// SVG picture: per model a column of rows, one per layer, each with a pseudo-3D
// volume of the layer's output drawn to a log scale (front face H×W, depth C) and
// a card with label, op, key arguments, output shape and parameter count; the
// failing layer is a red card carrying its diagnostic. Plain SVG 1.1 text, every
// string through xmlText (src/escape/xml.ts), no dependency. Emits no diagnostics.
import type { ArgsOf, Layer, LayerArgs, Model, OpName, PartialModel } from "../ir.ts";
import { xmlText } from "../escape/xml.ts";
import { formatCount, layerParamCount } from "../render/format.ts";

/** What the picture says about the layer that failed to check. */
export interface DrawFailure {
  code: string;
  message: string;
  notes: string[];
  help?: string;
  /** the failing statement's source text, e.g. "c3: conv(16, kernel=50)" */
  source: string;
  line: number;
}

export type DrawnModel = { model: Model } | { model: PartialModel; failure: DrawFailure };

const COLUMN_WIDTH = 660;
const VOLUME_WIDTH = 250;
const CARD_X = VOLUME_WIDTH + 20;
const CARD_WIDTH = COLUMN_WIDTH - CARD_X - 20;
const LINE = 16;
const MARGIN = 24;

const colours: Record<string, string> = {
  input: "#e8e8e8",
  conv: "#9cc3e6",
  pool: "#a9d18e",
  norm: "#c9b3e6",
  affine: "#f4b183",
  activation: "#dcdcdc",
  other: "#eeeeee",
  loss: "#ffe699",
  merge: "#ffd966",
};

type Family = keyof typeof colours;

/** The colour family of each op (a mapped type: an op added to the IR without one is a type error). */
const families: { [O in OpName]: Family } = {
  conv: "conv",
  maxpool: "pool",
  avgpool: "pool",
  globalavgpool: "pool",
  pad: "other",
  batchnorm: "norm",
  layernorm: "norm",
  groupnorm: "norm",
  affine: "affine",
  flatten: "other",
  relu: "activation",
  leakyrelu: "activation",
  sigmoid: "activation",
  tanh: "activation",
  dropout: "other",
  convtranspose: "conv",
  upsample: "pool",
  adaptiveavgpool: "pool",
  globalmaxpool: "pool",
  softmax: "activation",
  add: "merge",
  concat: "merge",
  relu6: "activation",
  clamp: "activation",
  hardswish: "activation",
  hardsigmoid: "activation",
  silu: "activation",
  elu: "activation",
  selu: "activation",
  softplus: "activation",
  mish: "activation",
  layernorm2d: "norm",
  layerscale: "other",
  channelshuffle: "other",
  slice: "other",
  stochasticdepth: "other",
  pixelshuffle: "other",
  pixelunshuffle: "other",
  prelu: "activation",
  gelu: "activation",
  instancenorm: "norm",
  mul: "merge",
  permute: "other",
  linear: "affine",
  layernormlast: "norm",
};

const hw = (p: readonly [number, number]) => (p[0] === p[1] ? `${p[0]}` : `${p[0]}×${p[1]}`);
const kernelText = (p: readonly [number, number]) => `${p[0]}×${p[1]}`;
function padText(pad: readonly [number, number, number, number]): string {
  const [t, b, l, r] = pad;
  if (t === b && l === r) return t === l ? `${t}` : `(${t}, ${l})`;
  return `(${t}, ${b}, ${l}, ${r})`;
}

function poolArguments(args: ArgsOf<"maxpool"> | ArgsOf<"avgpool">): string[] {
  const parts = [kernelText(args.kernel)];
  if (args.stride[0] !== args.kernel[0] || args.stride[1] !== args.kernel[1]) parts.push(`stride ${hw(args.stride)}`);
  if (args.pad.some((p) => p > 0)) parts.push(`pad ${padText(args.pad)}`);
  if (args.rounding === "ceil") parts.push("ceil");
  if (args.op === "avgpool" && !args.count_pad) parts.push("count_pad=false");
  return parts;
}

/** Per op, the arguments worth reading in a picture (a mapped type, like `families`). */
const opArguments: { [O in OpName]: (args: ArgsOf<O>) => string[] } = {
  conv(args) {
    const parts = [`${args.filters} filters ${kernelText(args.kernel)}`];
    if (args.stride[0] !== 1 || args.stride[1] !== 1) parts.push(`stride ${hw(args.stride)}`);
    if (args.pad.some((p) => p > 0)) parts.push(`pad ${padText(args.pad)}${args.padding_mode !== undefined ? ` ${args.padding_mode}` : ""}`);
    if (args.dilation[0] !== 1 || args.dilation[1] !== 1) parts.push(`dilation ${hw(args.dilation)}`);
    if (args.groups !== 1) parts.push(`groups ${args.groups}`);
    if (!args.bias) parts.push("no bias");
    return parts;
  },
  maxpool: poolArguments,
  avgpool: poolArguments,
  globalavgpool: () => [],
  pad: (args) => [padText(args.pad), ...(args.mode !== undefined ? [args.mode] : [])],
  batchnorm: (args) => [`eps ${args.eps}`, `momentum ${args.momentum}`],
  layernorm: (args) => [`eps ${args.eps}`],
  groupnorm: (args) => [`${args.groups} groups`, `eps ${args.eps}`],
  affine: (args) => [`${args.features} features`, ...(args.bias ? [] : ["no bias"])],
  flatten: () => [],
  relu: () => [],
  leakyrelu: (args) => [`alpha ${args.alpha}`],
  sigmoid: () => [],
  tanh: () => [],
  dropout: (args) => [`p ${args.p}`],
  convtranspose(args) {
    const parts = [`${args.filters} filters ${kernelText(args.kernel)}`];
    if (args.stride[0] !== 1 || args.stride[1] !== 1) parts.push(`stride ${hw(args.stride)}`);
    if (args.pad.some((p) => p > 0)) parts.push(`pad ${padText(args.pad)}`);
    if (args.output_pad[0] !== 0 || args.output_pad[1] !== 0) parts.push(`output_pad ${hw(args.output_pad)}`);
    if (args.dilation[0] !== 1 || args.dilation[1] !== 1) parts.push(`dilation ${hw(args.dilation)}`);
    if (args.groups !== 1) parts.push(`groups ${args.groups}`);
    if (!args.bias) parts.push("no bias");
    return parts;
  },
  upsample: (args) => [`×${hw(args.scale)}`, args.mode],
  adaptiveavgpool: (args) => [`to ${kernelText(args.size)}`],
  globalmaxpool: () => [],
  softmax: () => [],
  add: () => [],
  concat: () => ["along channels"],
  relu6: () => [],
  clamp: (args) => [`[${args.min}, ${args.max}]`],
  hardswish: () => [],
  hardsigmoid: () => [],
  silu: () => [],
  elu: (args) => [`alpha ${args.alpha}`],
  selu: () => [],
  softplus: (args) => [`beta ${args.beta}`, `threshold ${args.threshold}`],
  mish: () => [],
  layernorm2d: (args) => [`eps ${args.eps}`],
  layerscale: (args) => [`init ${args.init}`],
  channelshuffle: (args) => [`${args.groups} groups`],
  slice: (args) => [`channels ${args.start}…${args.end - 1}`],
  stochasticdepth: (args) => [`p ${args.p}`, args.mode],
  pixelshuffle: (args) => [`factor ${args.factor}`],
  pixelunshuffle: (args) => [`factor ${args.factor}`],
  prelu: (args) => [args.num_parameters === 1 ? "one slope" : `${args.num_parameters} slopes`],
  gelu: (args) => (args.approximate === "tanh" ? ["tanh approximation"] : []),
  instancenorm: (args) => [`eps ${args.eps}`, ...(args.affine ? ["affine"] : [])],
  mul: () => ["elementwise, [C, 1, 1] broadcast"],
  permute: (args) => [`dims (${args.dims.join(", ")})`],
  linear: (args) => [`${args.features} features, last axis`, ...(args.bias ? [] : ["no bias"])],
  layernormlast: (args) => [`eps ${args.eps}`, "last axis"],
};

/** The arguments worth reading in a picture, resolved (so `same` shows its actual padding). */
export function keyArguments(args: LayerArgs): string {
  return (opArguments[args.op] as (a: LayerArgs) => string[])(args).join(", ");
}

/** Log scale: 1 → 4 px, each doubling adds 15 px (28 → 76, 224 → 121, 512 → 139). */
const scale = (n: number) => 4 + 15 * Math.log2(n);
const fmt = (x: number) => String(Math.round(x * 10) / 10);

interface Volume {
  /** front face and oblique depth offsets */
  w: number;
  h: number;
  dx: number;
  dy: number;
}

function volumeOf(shape: readonly number[]): Volume {
  if (shape.length === 3) {
    const depth = scale(shape[0]!);
    return { w: scale(shape[2]!), h: scale(shape[1]!), dx: depth * 0.6, dy: depth * 0.45 };
  }
  // a vector [D]: a thin bar as tall as D on the same scale
  return { w: 8, h: scale(shape[0]!), dx: 0, dy: 0 };
}

/** A cuboid whose front face's top-left corner is (x, y): front, top and right faces. */
function drawVolume(v: Volume, x: number, y: number, fill: string, stroke: string): string {
  const p = (...pts: number[][]) => pts.map(([a, b]) => `${fmt(a!)},${fmt(b!)}`).join(" ");
  const faces = [`<rect x="${fmt(x)}" y="${fmt(y)}" width="${fmt(v.w)}" height="${fmt(v.h)}" fill="${fill}" stroke="${stroke}"/>`];
  if (v.dx > 0) {
    faces.push(
      `<polygon points="${p([x, y], [x + v.dx, y - v.dy], [x + v.w + v.dx, y - v.dy], [x + v.w, y])}" fill="${fill}" fill-opacity="0.7" stroke="${stroke}"/>`,
      `<polygon points="${p([x + v.w, y], [x + v.w + v.dx, y - v.dy], [x + v.w + v.dx, y + v.h - v.dy], [x + v.w, y + v.h])}" fill="${fill}" fill-opacity="0.5" stroke="${stroke}"/>`,
    );
  }
  return faces.join("");
}

interface Row {
  /** text lines of the card; the first is bold */
  lines: string[];
  shape?: readonly number[];
  colour: string;
  failing?: boolean;
}

const shapeText = (shape: readonly number[]) => `[${shape.join(", ")}]`;

/** Wraps text at spaces to lines of at most `width` characters (a longer word stays whole). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  if (line !== "") lines.push(line);
  return lines;
}

function layerRow(layer: Layer): Row {
  const params = layerParamCount(layer);
  const args = keyArguments(layer.args);
  const facts = [`→ ${shapeText(layer.output)}`, params > 0 ? `${formatCount(params)} params` : ""].filter((s) => s !== "");
  return {
    lines: [`${layer.name} · ${layer.args.op}`, ...(args !== "" ? [args] : []), facts.join(" · ")],
    shape: layer.output,
    colour: colours[families[layer.args.op]]!,
  };
}

function rowsOf(drawn: DrawnModel): Row[] {
  const { model } = drawn;
  const rows: Row[] = [{ lines: ["input", shapeText(model.input)], shape: model.input, colour: colours.input! }];
  rows.push(...model.layers.map(layerRow));
  if ("failure" in drawn) {
    const f = drawn.failure;
    rows.push({
      lines: [
        ...wrap(`line ${f.line}: ${f.source}`, 46),
        ...wrap(`error[${f.code}]: ${f.message}`, 54),
        ...f.notes.flatMap((n) => wrap(`= ${n}`, 54)),
        ...(f.help !== undefined ? wrap(`help: ${f.help}`, 54) : []),
      ],
      colour: "#f8cbad",
      failing: true,
    });
  } else if (drawn.model.loss !== null) {
    const loss = drawn.model.loss;
    rows.push({ lines: [loss.source.trim().replace(/\s+/g, " "), "→ scalar loss"], colour: colours.loss! });
  }
  return rows;
}

/**
 * Where each row goes: a lane (a column inside the model's column) and a top y.
 * Row 0 is the input, row i + 1 layer i, a last loss or failure row reads the
 * last layer. A layer continues its first operand's lane unless another layer
 * already did (then it opens a branch in the lowest free lane); a merge stays
 * in its first operand's lane and frees the others. A row sits below its
 * operands and below what its lane already holds, so branches run side by
 * side. A plain stack is one lane, row under row.
 */
function placeRows(operands: number[][], heights: number[]): { lane: number[]; y: number[]; lanes: number } {
  const lane: number[] = [];
  const y: number[] = [];
  const laneBottom: number[] = [];
  const busy = new Set<number>();
  const continued = new Set<number>();
  const freeLane = () => {
    let l = 0;
    while (busy.has(l)) l++;
    return l;
  };
  operands.forEach((ops, r) => {
    let l: number;
    if (ops.length === 0) l = 0;
    else if (ops.length === 1 && !continued.has(ops[0]!)) l = lane[ops[0]!]!;
    else if (ops.length === 1) l = freeLane();
    else {
      l = lane[ops[0]!]!;
      for (const o of ops.slice(1)) if (lane[o] !== l) busy.delete(lane[o]!);
    }
    if (ops.length > 0) continued.add(ops[0]!);
    busy.add(l);
    lane.push(l);
    const top = Math.max(24, laneBottom[l] ?? 24, ...ops.map((o) => y[o]! + heights[o]!));
    y.push(top);
    laneBottom[l] = top + heights[r]!;
  });
  return { lane, y, lanes: Math.max(0, ...lane) + 1 };
}

/** An edge from the bottom of row `from` to the top of row `to`: straight down within a lane, else through the left gutter of `to`'s lane. */
function edgePath(x1: number, y1: number, x2: number, y2: number, gutter: number | undefined): string {
  const pts = gutter === undefined ? [[x1, y1], [x2, y2]] : [[x1, y1], [x1, y1 + 4], [gutter, y1 + 4], [gutter, y2 - 4], [x2, y2 - 4], [x2, y2]];
  const arrow = [[x2 - 4, y2 - 6], [x2 + 4, y2 - 6], [x2, y2]];
  const p = (list: number[][]) => list.map(([a, b]) => `${fmt(a!)},${fmt(b!)}`).join(" ");
  return `<polyline points="${p(pts)}" fill="none" stroke="#888888"/><polygon points="${p(arrow)}" fill="#888888"/>`;
}

/** One model's column: its SVG group (placed at x), width and height. */
function drawColumn(drawn: DrawnModel, x: number): { svg: string; width: number; height: number } {
  const { model } = drawn;
  const failing = "failure" in drawn;
  const parts: string[] = [];
  const total = "failure" in drawn ? undefined : drawn.model.params;
  const title = `model ${model.name}` + (total !== undefined ? ` — ${formatCount(total)} params` : " — does not check");
  parts.push(`<text x="0" y="0" class="title${failing ? " bad" : ""}">${xmlText(title)}</text>`);
  const rows = rowsOf(drawn);
  const operands = rows.map((_, r) => (r === 0 ? [] : r <= model.layers.length ? model.layers[r - 1]!.from.map((f) => f + 1) : [model.layers.length]));
  const graph = model.layers.some((l, i) => l.from.length !== 1 || l.from[0] !== i - 1);
  const heights = rows.map((row) => {
    const v = row.shape ? volumeOf(row.shape) : undefined;
    return Math.max(row.lines.length * LINE + 12, v ? v.h + v.dy : 0) + 14;
  });
  const place = placeRows(operands, heights);
  const edges: string[] = [];
  rows.forEach((row, r) => {
    const v = row.shape ? volumeOf(row.shape) : undefined;
    const lx = place.lane[r]! * COLUMN_WIDTH;
    const y = place.y[r]!;
    const cardHeight = row.lines.length * LINE + 12;
    const height = heights[r]!;
    const stroke = row.failing ? "#c00000" : "#555555";
    if (graph) {
      operands[r]!.forEach((o, k) => {
        const sameLane = place.lane[o] === place.lane[r] && !rows.some((_, q) => q > o && q < r && place.lane[q] === place.lane[r]);
        const gutter = sameLane ? undefined : lx + 6 + 4 * k;
        edges.push(edgePath(place.lane[o]! * COLUMN_WIDTH + VOLUME_WIDTH / 2, place.y[o]! + heights[o]! - 6, lx + VOLUME_WIDTH / 2, y + 6, gutter));
      });
    }
    if (row.failing) {
      // no output shape: a dashed outline where the volume would be
      parts.push(
        `<rect x="${lx + VOLUME_WIDTH / 2 - 20}" y="${fmt(y + height / 2 - 20)}" width="40" height="40" fill="none" stroke="${stroke}" stroke-dasharray="4 3"/>`,
        `<text x="${lx + VOLUME_WIDTH / 2}" y="${fmt(y + height / 2 + 6)}" text-anchor="middle" class="title bad">?</text>`,
      );
    }
    if (v) {
      const vx = lx + (VOLUME_WIDTH - v.w - v.dx) / 2;
      const vy = y + (height - v.h - v.dy) / 2 + v.dy;
      parts.push(drawVolume(v, vx, vy, row.colour, stroke));
    }
    const cy = y + (height - cardHeight) / 2;
    parts.push(
      `<rect x="${lx + CARD_X}" y="${fmt(cy)}" width="${CARD_WIDTH}" height="${cardHeight}" rx="5" fill="${row.failing ? "#fde9e1" : "#ffffff"}" stroke="${stroke}"${row.failing ? ' stroke-width="2"' : ""}/>`,
    );
    row.lines.forEach((line, i) => {
      const cls = i === 0 ? (row.failing ? "head bad" : "head") : row.failing ? "bad" : "";
      parts.push(
        `<text x="${lx + CARD_X + 10}" y="${fmt(cy + 6 + LINE * (i + 1) - 4)}"${cls !== "" ? ` class="${cls}"` : ""}>${xmlText(line)}</text>`,
      );
    });
  });
  const bottom = Math.max(24, ...rows.map((_, r) => place.y[r]! + heights[r]!));
  // edges first, so volumes and cards are drawn over them
  return {
    svg: `<g transform="translate(${x},${MARGIN + 8})">${[...edges, ...parts].join("\n")}</g>`,
    width: place.lanes * COLUMN_WIDTH,
    height: bottom + 8,
  };
}

/** The SVG document for the given models, side by side in file order. */
export function drawSvg(models: readonly DrawnModel[]): string {
  let x = MARGIN;
  const columns = models.map((m) => {
    const column = drawColumn(m, x);
    x += column.width;
    return column;
  });
  const width = MARGIN + Math.max(x, MARGIN + COLUMN_WIDTH);
  const height = MARGIN * 2 + Math.max(0, ...columns.map((c) => c.height));
  const names = models.map((m) => m.model.name).join(", ");
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${fmt(height)}" viewBox="0 0 ${width} ${fmt(height)}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<title>${xmlText(names)}</title>`,
    `<style>.title{font-size:16px;font-weight:bold}.head{font-weight:bold}.bad{fill:#c00000}</style>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    ...columns.map((c) => c.svg),
    `</svg>`,
    "",
  ].join("\n");
}
