// Checked IR (models that checked, and the checked prefix of failing ones) → one
// SVG picture: per model a column of rows, one per layer, each with a pseudo-3D
// volume of the layer's output drawn to a log scale (front face H×W, depth C) and
// a card with label, op, key arguments, output shape and parameter count; the
// failing layer is a red card carrying its diagnostic. Plain SVG 1.1 text, every
// string XML-escaped, no dependency. Emits no diagnostics.
import type { Layer, LayerArgs, Model, PartialModel } from "../ir.ts";
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
};

function family(op: LayerArgs["op"]): keyof typeof colours {
  switch (op) {
    case "conv":
      return "conv";
    case "maxpool":
    case "avgpool":
    case "globalavgpool":
      return "pool";
    case "batchnorm":
    case "layernorm":
    case "groupnorm":
    case "layernorm2d":
      return "norm";
    case "affine":
      return "affine";
    case "relu":
    case "leakyrelu":
    case "sigmoid":
    case "tanh":
    case "relu6":
    case "clamp":
    case "hardswish":
    case "hardsigmoid":
    case "silu":
    case "elu":
    case "selu":
    case "softplus":
    case "mish":
      return "activation";
    default:
      return "other";
  }
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]!);
}

const hw = (p: readonly [number, number]) => (p[0] === p[1] ? `${p[0]}` : `${p[0]}×${p[1]}`);
const kernelText = (p: readonly [number, number]) => `${p[0]}×${p[1]}`;
function padText(pad: readonly [number, number, number, number]): string {
  const [t, b, l, r] = pad;
  if (t === b && l === r) return t === l ? `${t}` : `(${t}, ${l})`;
  return `(${t}, ${b}, ${l}, ${r})`;
}

/** The arguments worth reading in a picture, resolved (so `same` shows its actual padding). */
export function keyArguments(args: LayerArgs): string {
  const parts: string[] = [];
  switch (args.op) {
    case "conv":
      parts.push(`${args.filters} filters ${kernelText(args.kernel)}`);
      if (args.stride[0] !== 1 || args.stride[1] !== 1) parts.push(`stride ${hw(args.stride)}`);
      if (args.pad.some((p) => p > 0)) parts.push(`pad ${padText(args.pad)}`);
      if (args.dilation[0] !== 1 || args.dilation[1] !== 1) parts.push(`dilation ${hw(args.dilation)}`);
      if (args.groups !== 1) parts.push(`groups ${args.groups}`);
      if (!args.bias) parts.push("no bias");
      break;
    case "maxpool":
    case "avgpool":
      parts.push(kernelText(args.kernel));
      if (args.stride[0] !== args.kernel[0] || args.stride[1] !== args.kernel[1]) parts.push(`stride ${hw(args.stride)}`);
      if (args.pad.some((p) => p > 0)) parts.push(`pad ${padText(args.pad)}`);
      if (args.rounding === "ceil") parts.push("ceil");
      if (args.op === "avgpool" && !args.count_pad) parts.push("count_pad=false");
      break;
    case "pad":
      parts.push(padText(args.pad));
      break;
    case "batchnorm":
      parts.push(`eps ${args.eps}`, `momentum ${args.momentum}`);
      break;
    case "layernorm":
      parts.push(`eps ${args.eps}`);
      break;
    case "groupnorm":
      parts.push(`${args.groups} groups`, `eps ${args.eps}`);
      break;
    case "affine":
      parts.push(`${args.features} features`);
      if (!args.bias) parts.push("no bias");
      break;
    case "leakyrelu":
      parts.push(`alpha ${args.alpha}`);
      break;
    case "dropout":
      parts.push(`p ${args.p}`);
      break;
    case "clamp":
      parts.push(`[${args.min}, ${args.max}]`);
      break;
    case "elu":
      parts.push(`alpha ${args.alpha}`);
      break;
    case "softplus":
      parts.push(`beta ${args.beta}`, `threshold ${args.threshold}`);
      break;
    case "layernorm2d":
      parts.push(`eps ${args.eps}`);
      break;
    case "layerscale":
      parts.push(`init ${args.init}`);
      break;
    case "channelshuffle":
      parts.push(`${args.groups} groups`);
      break;
    case "slice":
      parts.push(`channels ${args.start}…${args.end - 1}`);
      break;
    case "pixelshuffle":
    case "pixelunshuffle":
      parts.push(`factor ${args.factor}`);
      break;
    case "stochasticdepth":
      parts.push(`p ${args.p}`, args.mode);
      break;
    default:
      break;
  }
  return parts.join(", ");
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
    colour: colours[family(layer.args.op)]!,
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

/** One model's column: its SVG group (placed at x) and height. */
function drawColumn(drawn: DrawnModel, x: number): { svg: string; height: number } {
  const { model } = drawn;
  const failing = "failure" in drawn;
  const parts: string[] = [];
  const total = "failure" in drawn ? undefined : drawn.model.params;
  const title = `model ${model.name}` + (total !== undefined ? ` — ${formatCount(total)} params` : " — does not check");
  parts.push(`<text x="0" y="0" class="title${failing ? " bad" : ""}">${escapeXml(title)}</text>`);
  let y = 24;
  for (const row of rowsOf(drawn)) {
    const v = row.shape ? volumeOf(row.shape) : undefined;
    const cardHeight = row.lines.length * LINE + 12;
    const volumeHeight = v ? v.h + v.dy : 0;
    const height = Math.max(cardHeight, volumeHeight) + 14;
    const stroke = row.failing ? "#c00000" : "#555555";
    if (row.failing) {
      // no output shape: a dashed outline where the volume would be
      parts.push(
        `<rect x="${VOLUME_WIDTH / 2 - 20}" y="${fmt(y + height / 2 - 20)}" width="40" height="40" fill="none" stroke="${stroke}" stroke-dasharray="4 3"/>`,
        `<text x="${VOLUME_WIDTH / 2}" y="${fmt(y + height / 2 + 6)}" text-anchor="middle" class="title bad">?</text>`,
      );
    }
    if (v) {
      const vx = (VOLUME_WIDTH - v.w - v.dx) / 2;
      const vy = y + (height - v.h - v.dy) / 2 + v.dy;
      parts.push(drawVolume(v, vx, vy, row.colour, stroke));
    }
    const cy = y + (height - cardHeight) / 2;
    parts.push(
      `<rect x="${CARD_X}" y="${fmt(cy)}" width="${CARD_WIDTH}" height="${cardHeight}" rx="5" fill="${row.failing ? "#fde9e1" : "#ffffff"}" stroke="${stroke}"${row.failing ? ' stroke-width="2"' : ""}/>`,
    );
    row.lines.forEach((line, i) => {
      const cls = i === 0 ? (row.failing ? "head bad" : "head") : row.failing ? "bad" : "";
      parts.push(
        `<text x="${CARD_X + 10}" y="${fmt(cy + 6 + LINE * (i + 1) - 4)}"${cls !== "" ? ` class="${cls}"` : ""}>${escapeXml(line)}</text>`,
      );
    });
    y += height;
  }
  return { svg: `<g transform="translate(${x},${MARGIN + 8})">${parts.join("\n")}</g>`, height: y + 8 };
}

/** The SVG document for the given models, side by side in file order. */
export function drawSvg(models: readonly DrawnModel[]): string {
  const columns = models.map((m, i) => drawColumn(m, MARGIN + i * COLUMN_WIDTH));
  const width = MARGIN * 2 + Math.max(1, models.length) * COLUMN_WIDTH;
  const height = MARGIN * 2 + Math.max(0, ...columns.map((c) => c.height));
  const names = models.map((m) => m.model.name).join(", ");
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${fmt(height)}" viewBox="0 0 ${width} ${fmt(height)}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<title>${escapeXml(names)}</title>`,
    `<style>.title{font-size:16px;font-weight:bold}.head{font-weight:bold}.bad{fill:#c00000}</style>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    ...columns.map((c) => c.svg),
    `</svg>`,
    "",
  ].join("\n");
}
