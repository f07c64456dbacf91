// E01xx: the file as text, tokens, grammar and statement order. Emitted by
// src/source.ts (E0101–E0103), src/parse.ts (E0104–E0107, E0118–E0120, E0124) and
// src/cst-to-ast.ts (the rest). `cnnc explain E01NN` prints an entry.
import type { CodeInfo } from "./index.ts";

export const syntaxCodes = {
  E0101: {
    title: "invalid UTF-8",
    explanation:
      "A .cnn file must be valid UTF-8. The error points at the first byte that does not start a valid UTF-8 sequence " +
      "(a stray Latin-1 byte, a truncated multi-byte character, an overlong encoding or a UTF-16 surrogate). " +
      "A leading byte-order mark (BOM) is accepted and ignored.",
    example: "model A {\n  input [1, 28, 28]   # caf\\xe9 saved as Latin-1: the byte 0xE9 is not UTF-8\n}\n",
    fix: "Re-save the file as UTF-8 (every editor can). Only comments may hold non-ASCII text anyway.",
  },
  E0102: {
    title: "binary file",
    explanation:
      "The file contains a NUL byte, so it is not a text file: most likely the path names a weights file, an image " +
      "or a compiled artefact rather than a .cnn spec.",
    example: "(a file whose bytes include 0x00)",
    fix: "Pass the .cnn file itself.",
  },
  E0103: {
    title: "file too large",
    explanation:
      "cnnc refuses source files larger than 1 MiB (1,048,576 bytes) before decoding them, so that a wrong path " +
      "(a dataset, a log) fails at once instead of being lexed. A network description is a few kilobytes; " +
      "`repeat` keeps deep stacks short.",
    example: "(a 2 MiB file)",
    fix: "Check the path. Write repeated blocks with `repeat N { ... }` rather than copying them out.",
  },
  E0104: {
    title: "invalid character",
    explanation:
      "Outside comments a .cnn file holds only ASCII letters, digits, `_`, whitespace, the punctuation " +
      "`{ } ( ) [ ] , : = ; @` and the operators `+ - * / // == != < <= > >=`; the only strings are " +
      "import paths in double quotes. Numbers do not start with `.`. Characters pasted from elsewhere " +
      "(a non-breaking space, a typographic quote or dash) are the usual culprits.",
    example: "model A {\n  input [1, 8, 8]\n  leakyrelu(alpha=.1)\n}\n",
    fix: "model A {\n  input [1, 8, 8]\n  leakyrelu(alpha=0.1)\n}\n\nRemove the character; write 0.1, not .1; put prose in a `#` comment.",
  },
  E0105: {
    title: "syntax error",
    explanation:
      "The tokens do not follow the grammar (docs/language.md#grammar): a missing `,` between arguments, a missing `)`, a " +
      "statement outside any model, a keyword used as a name. The parser recovers and reports every such place " +
      "in one run; fix the first ones first, later errors can be consequences.",
    example: "model A {\n  input [1, 28, 28]\n  c1: conv(6 kernel=5)\n}\n",
    fix: "model A {\n  input [1, 28, 28]\n  c1: conv(6, kernel=5)\n}\n\nArguments are separated by `,`.",
  },
  E0106: {
    title: "unterminated block, argument list, shape or tuple",
    explanation:
      "A `{`, `(` or `[` is never closed: the file (or the model) ends first. The error points where the closing " +
      "bracket was expected and a label shows where the construct opened.",
    example: "model A {\n  input [1, 28, 28]\n  relu\n",
    fix: "model A {\n  input [1, 28, 28]\n  relu\n}\n\nClose the model's block with `}`.",
  },
  E0107: {
    title: "file has no model",
    explanation: "A .cnn file holds at least one `model Name { ... }`. An empty file, or one with only comments, is an error.",
    example: "# nothing here yet\n",
    fix: "model A {\n  input [784]\n  affine(10)\n  loss softmax\n}\n",
  },
  E0108: {
    title: "model has no input",
    explanation: "Every model starts with `input [C, H, W]` (one image sample) or `input [D]` (a vector): the shapes of all its layers follow from it.",
    example: "model A {\n  affine(10)\n}\n",
    fix: "model A {\n  input [784]\n  affine(10)\n}\n",
  },
  E0109: {
    title: "input is not the first statement",
    explanation: "`input` must be the first statement of a model, before `rounding` and any layer.",
    example: "model A {\n  relu\n  input [10]\n}\n",
    fix: "model A {\n  input [10]\n  relu\n}\n",
  },
  E0110: {
    title: "input given twice",
    explanation: "A model has exactly one `input` statement.",
    example: "model A {\n  input [10]\n  input [20]\n  relu\n}\n",
    fix: "model A {\n  input [10]\n  relu\n}\n\nTwo different inputs are two models.",
  },
  E0111: {
    title: "rounding is not right after input",
    explanation:
      "The model-wide `rounding` statement sets the default rounding of every layer, so it comes right after " +
      "`input` and before any layer. To change the rounding of one layer, give that layer a `rounding=` argument.",
    example: "model A {\n  input [1, 9, 9]\n  maxpool(2)\n  rounding ceil\n}\n",
    fix: "model A {\n  input [1, 9, 9]\n  rounding ceil\n  maxpool(2)\n}\n",
  },
  E0112: {
    title: "rounding given twice",
    explanation: "A model has at most one model-wide `rounding` statement. Per-layer overrides use the `rounding=` argument.",
    example: "model A {\n  input [1, 9, 9]\n  rounding ceil\n  rounding floor\n  maxpool(2)\n}\n",
    fix: "model A {\n  input [1, 9, 9]\n  rounding ceil\n  maxpool(2)\n}\n",
  },
  E0113: {
    title: "layer after loss",
    explanation: "`loss` ends a model: it turns the last layer's output into a scalar, so no layer or `repeat` may follow it.",
    example: "model A {\n  input [10]\n  loss softmax\n  relu\n}\n",
    fix: "model A {\n  input [10]\n  relu\n  loss softmax\n}\n",
  },
  E0114: {
    title: "loss given twice",
    explanation: "A model has at most one `loss`, as its last statement.",
    example: "model A {\n  input [10]\n  loss softmax\n  loss svm\n}\n",
    fix: "model A {\n  input [10]\n  loss softmax\n}\n",
  },
  E0115: {
    title: "integer required",
    explanation:
      "Input dimensions and `repeat` counts are whole numbers written as plain decimal digits; a fraction (`2.5`, " +
      "even `2.0`) or an exponent (`1e3`) is an error there.",
    example: "model A {\n  input [1, 28.0, 28]\n}\n",
    fix: "model A {\n  input [1, 28, 28]\n}\n",
  },
  E0116: {
    title: "repeat count is 0",
    explanation: "`repeat N { ... }` copies its body N times, and N must be at least 1. To remove a block, delete it or comment it out.",
    example: "model A {\n  input [10]\n  repeat 0 { relu }\n}\n",
    fix: "model A {\n  input [10]\n  repeat 1 { relu }\n}\n",
  },
  E0117: {
    title: "empty repeat body",
    explanation: "A `repeat` body holds at least one layer (or nested repeat).",
    example: "model A {\n  input [10]\n  repeat 3 { }\n  relu\n}\n",
    fix: "model A {\n  input [10]\n  repeat 3 { relu }\n}\n",
  },
  E0118: {
    title: "number out of range",
    explanation:
      "An integer must not exceed 2^53 - 1 = 9007199254740991 (JavaScript's Number.MAX_SAFE_INTEGER, beyond " +
      "which integers lose precision), and a decimal must be finite as a 64-bit float (below about 1.8e308).",
    example: "model A {\n  input [1, 99999999999999999999, 1]\n}\n",
    fix: "Use the number you meant; the checker then bounds every tensor to 2^31 - 1 elements per sample.",
  },
  E0119: {
    title: "identifier too long",
    explanation: "Identifiers (model names, labels, ops, argument names) are at most 256 characters long.",
    example: "model A {\n  input [10]\n  aaaa…(300 characters)…aaaa: relu\n}\n",
    fix: "Use a shorter name.",
  },
  E0120: {
    title: "nesting too deep",
    explanation:
      "Blocks (`{ ... }` of a model and of each `repeat`) nest at most 64 levels deep. The limit is checked on the " +
      "tokens before parsing, so a pathological file is refused at once instead of exhausting the stack.",
    example: "model A {\n  input [10]\n  repeat 1 { repeat 1 { … 70 levels … relu } }\n}\n",
    fix: "Flatten the nesting: `repeat 2 { repeat 3 { relu } }` is `repeat 6 { relu }` when the body has no labels.",
  },
  E0121: {
    title: "input shape has the wrong number of dimensions",
    explanation:
      "`input` gives the shape of one sample without the batch dimension: `[C, H, W]` for images (channels, height, " +
      "width) or `[D]` for vectors. Two or four dimensions are an error (the batch size is chosen at run time).",
    example: "model A {\n  input [28, 28]\n  relu\n}\n",
    fix: "model A {\n  input [1, 28, 28]\n  relu\n}\n",
  },
  E0122: {
    title: "input dimension is 0",
    explanation: "Every input dimension is at least 1.",
    example: "model A {\n  input [3, 0, 32]\n  relu\n}\n",
    fix: "model A {\n  input [3, 32, 32]\n  relu\n}\n",
  },
  E0123: {
    title: "statement not allowed here",
    explanation:
      "`input`, `rounding` and `loss` belong to a model's top level. A block, and every nested body (`repeat`, " +
      "`if`, `seq`, `add`, `concat`, `{ … }`), holds layers and the other nested statements only.",
    example: "model A {\n  input [10]\n  repeat 2 { relu loss softmax }\n}\n",
    fix: "model A {\n  input [10]\n  repeat 2 { relu }\n  loss softmax\n}\n",
  },
  E0124: {
    title: "too many tokens",
    explanation:
      "A file holds at most 200,000 tokens (names, numbers and punctuation; comments do not count). The limit is " +
      "checked right after lexing, so an enormous file is refused before it is parsed. A model has at most 10,000 " +
      "layers after expanding `repeat` anyway, and 10,000 layers written out with their arguments stay well below it.",
    example: "model A {\n  input [10]\n  relu relu relu … (200,000 times)\n}\n",
    fix: "Write repeated layers with `repeat N { ... }`: `repeat 100 { relu }`.",
  },
} as const satisfies Record<string, CodeInfo>;
