// E02xx: names and arguments — everything that is wrong whatever the input
// shape is (unknown op or argument, wrong type, missing or duplicate, values
// out of range, constraints between arguments, names, the layer-count limit).
import type { CodeInfo } from "./index.ts";

export const argumentCodes = {
  E0201: {
    title: "duplicate model name",
    explanation:
      "Every model in a file needs its own name: `cnnc build` writes one `<name>.ts` per model and " +
      "`--model NAME` picks a model by name, so two models with the same name cannot both exist. " +
      "The second model is still checked, but it fails.",
    example: "model Net {\n  input [10]\n  affine(2)\n}\nmodel Net {  # ~ E0201\n  input [20]\n  affine(2)\n}",
    fix: "Rename one of them:\n\nmodel Net {\n  input [10]\n  affine(2)\n}\nmodel Net2 {\n  input [20]\n  affine(2)\n}",
  },
  E0202: {
    title: "unknown op",
    explanation:
      "A layer names an op that cnnc does not have. The ops are conv, maxpool, avgpool, " +
      "globalavgpool, pad, batchnorm, layernorm, groupnorm, affine, flatten, relu, leakyrelu, " +
      "sigmoid, tanh and dropout. When the name is close to one of them (or is PyTorch's name for " +
      "one, like `Linear` or `Conv2d`) the message suggests it.",
    example: "model Net {\n  input [1, 28, 28]\n  conv(8, kernel=3)\n  maxpol(2)  # ~ E0202\n}",
    fix: "Use the op's name as cnnc spells it:\n\nmodel Net {\n  input [1, 28, 28]\n  conv(8, kernel=3)\n  maxpool(2)\n}",
  },
  E0203: {
    title: "unknown argument",
    explanation:
      "A layer (or the loss) is given a named argument that its op does not take. Each op's " +
      "arguments are listed in docs/language.md; pools take no `dilation`, activations take " +
      "nothing but `alpha` (leakyrelu). PyTorch spellings such as `padding`, `kernel_size` or " +
      "`out_channels` are recognised and the cnnc name is suggested.",
    example: "model Net {\n  input [1, 28, 28]\n  conv(8, kernel=3, padding=1)  # ~ E0203\n}",
    fix: "Use the op's own argument name:\n\nmodel Net {\n  input [1, 28, 28]\n  conv(8, kernel=3, pad=1)\n}",
  },
  E0204: {
    title: "duplicate argument",
    explanation:
      "An argument is given twice, either by name twice or once positionally and once by name " +
      "(the positional argument is the op's primary one: `filters` of conv, `kernel` of the pools, " +
      "`features` of affine, and so on). cnnc does not guess which one you meant.",
    example: "model Net {\n  input [1, 28, 28]\n  conv(8, kernel=3, filters=16)  # ~ E0204\n}",
    fix: "Keep one of them:\n\nmodel Net {\n  input [1, 28, 28]\n  conv(16, kernel=3)\n}",
  },
  E0205: {
    title: "missing required argument",
    explanation:
      "Some arguments have no default: `filters` and `kernel` of conv, `kernel` of maxpool and " +
      "avgpool, `features` of affine, `groups` of groupnorm and the padding of the pad layer. " +
      "The layer must give them, positionally (the primary one) or by name.",
    example: "model Net {\n  input [1, 28, 28]\n  conv(8)  # ~ E0205\n}",
    fix: "Give the missing argument:\n\nmodel Net {\n  input [1, 28, 28]\n  conv(8, kernel=3)\n}",
  },
  E0206: {
    title: "argument of the wrong type",
    explanation:
      "Each argument takes one kind of value: an integer (`filters`, `groups`), a number (`eps`, " +
      "`p`), an integer or a pair `(h, w)` (`kernel`, `stride`, `dilation`), a padding (an integer, " +
      "a pair, a 4-tuple `(top, bottom, left, right)`, `same` or `valid`), a boolean (`true` or " +
      "`false`) or a keyword (`rounding=floor|ceil|exact`). An integer argument written with a " +
      "fraction or an exponent (`3.0`, `1e2`) is the wrong type too, and the pad layer does not " +
      "accept `same`, which only means something for a windowed layer.",
    example: "model Net {\n  input [1, 28, 28]\n  conv(8, kernel=(3, 3, 3))  # ~ E0206\n}",
    fix: "Write the value in a form the argument takes:\n\nmodel Net {\n  input [1, 28, 28]\n  conv(8, kernel=(3, 3))\n}",
  },
  E0207: {
    title: "argument value out of range",
    explanation:
      "The value has the right type but is outside the argument's range: a kernel, stride, " +
      "dilation, filter, feature or group count must be at least 1; `eps` must be greater than " +
      "0; `momentum` lies in [0, 1]; dropout's `p` is a probability of dropping, so it lies in " +
      "[0, 1) — with p = 1 nothing would pass; `permute`'s dims are 0 (the batch axis) followed by " +
      "1, 2 and 3 in some order.",
    example: "model Net {\n  input [100]\n  affine(50)\n  dropout(1)  # ~ E0207\n}",
    fix: "Use a value inside the range:\n\nmodel Net {\n  input [100]\n  affine(50)\n  dropout(0.5)\n}",
  },
  E0208: {
    title: "misplaced positional argument",
    explanation:
      "A layer takes at most one positional argument, and it comes first: it is the op's primary " +
      "argument (`filters` of conv, `kernel` of the pools, `features` of affine, `groups` of " +
      "groupnorm, the padding of pad, `p` of dropout, `alpha` of leakyrelu, `margin` of svm). All " +
      "other arguments are named, and ops without a primary argument (relu, batchnorm, ...) take " +
      "no positional argument at all.",
    example: "model Net {\n  input [1, 28, 28]\n  conv(8, 3)  # ~ E0208\n}",
    fix: "Name the second argument:\n\nmodel Net {\n  input [1, 28, 28]\n  conv(8, kernel=3)\n}",
  },
  E0209: {
    title: "pool padding larger than half the kernel",
    explanation:
      "maxpool and avgpool accept at most kernel/2 (rounded down) of padding on each side, the rule " +
      "PyTorch enforces: with more, a window could lie entirely in the padding, where max-pooling " +
      "has nothing to pick and average pooling averages only zeros. `pad=same` always satisfies it.",
    example: "model Net {\n  input [1, 28, 28]\n  maxpool(2, pad=2)  # ~ E0209\n}",
    fix: "Pad at most kernel/2 per side (or use a larger kernel):\n\nmodel Net {\n  input [1, 28, 28]\n  maxpool(2, pad=1)\n}",
  },
  E0210: {
    title: "ceil rounding on a conv",
    explanation:
      "`rounding=ceil` adds a last, partial window (Caffe pooling, PyTorch's `ceil_mode`). It is " +
      "defined for the pools only: a convolution has no such mode in PyTorch or TensorFlow. A " +
      "model-wide `rounding ceil` statement applies to the pools and leaves convs at floor; only a " +
      "conv's own `rounding=ceil` argument is an error.",
    example: "model Net {\n  input [1, 28, 28]\n  conv(8, kernel=3, stride=2, rounding=ceil)  # ~ E0210\n}",
    fix: "Pad the input instead, so that the last window fits:\n\nmodel Net {\n  input [1, 28, 28]\n  conv(8, kernel=3, stride=2, pad=(0, 1, 0, 1))\n}",
  },
  E0211: {
    title: "filters not divisible by groups",
    explanation:
      "A grouped convolution (conv or convtranspose) splits its filters into `groups` equal groups, each seeing C/groups " +
      "input channels, so `filters` must be a multiple of `groups` (the input channels must be too; " +
      "that one depends on the input and is E0304).",
    example: "model Net {\n  input [8, 28, 28]\n  conv(6, kernel=3, groups=4)  # ~ E0211\n}",
    fix: "Use a filter count that is a multiple of the groups:\n\nmodel Net {\n  input [8, 28, 28]\n  conv(8, kernel=3, groups=4)\n}",
  },
  E0212: {
    title: "duplicate layer name",
    explanation:
      "Layer names are unique within a model: they name the parameters (`c1.weight`) and the rows " +
      "of `cnnc summary`. A layer's name is its label, or `<op><k>` for an unlabelled layer (the " +
      "k-th unlabelled layer of that op: `conv1`, `relu3`); a label inside `repeat` gets `_<i>` " +
      "for each enclosing copy (`a_2_1`). A label that equals another label or an automatic name " +
      "is an error.",
    example: "model Net {\n  input [1, 28, 28]\n  conv(8, kernel=3)\n  conv1: conv(8, kernel=3)  # ~ E0212\n}",
    fix: "Pick a label that no other layer uses:\n\nmodel Net {\n  input [1, 28, 28]\n  conv(8, kernel=3)\n  c2: conv(8, kernel=3)\n}",
  },
  E0213: {
    title: "unknown keyword value",
    explanation:
      "A keyword is not one of the values its place accepts: `rounding` (the statement or the " +
      "argument) takes floor, ceil or exact; a boolean argument takes true or false; a padding " +
      "takes same or valid besides numbers.",
    example: "model Net {\n  input [1, 28, 28]\n  rounding flor  # ~ E0213\n  maxpool(2)\n}",
    fix: "Use one of the listed values:\n\nmodel Net {\n  input [1, 28, 28]\n  rounding floor\n  maxpool(2)\n}",
  },
  E0214: {
    title: "unknown loss",
    explanation:
      "`loss` names a loss function cnnc does not have. There are two: `softmax` (softmax " +
      "cross-entropy) and `svm` (CS231n's multiclass hinge loss, with `margin`, default 1).",
    example: "model Net {\n  input [100]\n  affine(10)\n  loss crossentropy  # ~ E0214\n}",
    fix: "Use softmax or svm:\n\nmodel Net {\n  input [100]\n  affine(10)\n  loss softmax\n}",
  },
  E0215: {
    title: "too many layers",
    explanation:
      "A model may have at most 10,000 layers after `repeat` bodies are copied and blocks " +
      "instantiated, at most 10,000 block instances, and blocks nested at most 64 deep. The counts " +
      "are computed from the repeat counts, arguments and conditions before anything is expanded, " +
      "so a runaway `repeat` is refused at once instead of filling the memory.",
    example: "model Net {\n  input [64]\n  repeat 100 {  # ~ E0215\n    repeat 200 { affine(64) }\n  }\n}",
    fix: "Use fewer copies:\n\nmodel Net {\n  input [64]\n  repeat 100 {\n    repeat 2 { affine(64) }\n  }\n}",
  },
  E0216: {
    title: "invalid expression",
    explanation:
      "An expression in a block argument, a default, a repeat count or an `if` condition cannot be " +
      "evaluated: arithmetic (`+ - * / //`) and orderings (`< <= > >=`) take numbers, `and`, `or` " +
      "and `not` take true or false, `/` of two integers must divide exactly (`//` rounds down; a " +
      "real operand makes `/` a real division), a divisor is never 0, " +
      "and a repeat count is a whole number of at least 1. The value is computed per instance, so " +
      "the note names the instance whose arguments made it fail.",
    example:
      "block Half(c) {\n  conv(c / 2, kernel=1)  # ~ E0216\n}\nmodel Net {\n  input [3, 8, 8]\n  Half(3)\n}",
    fix: "Round down with `//` (or pass an even count):\n\nblock Half(c) {\n  conv(c // 2, kernel=1)\n}\nmodel Net {\n  input [3, 8, 8]\n  Half(3)\n}",
  },
  E0217: {
    title: "unknown name in an expression",
    explanation:
      "An expression uses a name that is neither a parameter of the enclosing block nor the index " +
      "of an enclosing `repeat … as i`. (Bare words such as `same`, `floor` or `true` are values " +
      "where an op takes them; in arithmetic or a condition a name must be bound.)",
    example:
      "block Wide(c) {\n  conv(c * factor, kernel=3, pad=1)  # ~ E0217\n}\nmodel Net {\n  input [3, 8, 8]\n  Wide(16)\n}",
    fix: "Make it a parameter (with a default if you like):\n\nblock Wide(c, factor = 2) {\n  conv(c * factor, kernel=3, pad=1)\n}\nmodel Net {\n  input [3, 8, 8]\n  Wide(16)\n}",
  },
  E0218: {
    title: "unknown reference",
    explanation:
      "`@name` refers to the value produced by an earlier statement labelled `name` in the same " +
      "model or block instance (a chain, `if` or merge branch adds no scope; a block instance does). " +
      "The label must come before the reference; inside a repeat, it is this copy's statement.",
    example:
      "model Net {\n  input [8, 16, 16]\n  stem: conv(8, kernel=3, pad=1)\n  add {\n    conv(8, kernel=3, pad=1)\n    @stme  # ~ E0218\n  }\n}",
    fix: "Refer to a label that exists:\n\nmodel Net {\n  input [8, 16, 16]\n  stem: conv(8, kernel=3, pad=1)\n  add {\n    conv(8, kernel=3, pad=1)\n    @stem\n  }\n}",
  },
  E0219: {
    title: "block instantiates itself",
    explanation:
      "A block that uses itself, directly or through other blocks, would expand forever. Blocks " +
      "may nest, but the nesting must end; repeat a block with `repeat` instead.",
    example: "block Loop(c) {\n  conv(c, kernel=3, pad=1)\n  Loop(c)  # ~ E0219\n}\nmodel Net {\n  input [3, 8, 8]\n  Loop(8)\n}",
    fix: "Repeat the body instead:\n\nblock Unit(c) {\n  conv(c, kernel=3, pad=1)\n}\nmodel Net {\n  input [3, 8, 8]\n  repeat 2 { Unit(8) }\n}",
  },
  E0220: {
    title: "duplicate block name",
    explanation:
      "Blocks are instantiated by name, so a name names one block across the file and the files it " +
      "imports, and it may not be the name of an op (`conv`, `relu`, …).",
    example:
      "block Unit(c) {\n  conv(c, kernel=3, pad=1)\n}\nblock Unit(c) {  # ~ E0220\n  conv(c, kernel=1)\n}\nmodel Net {\n  input [3, 8, 8]\n  Unit(8)\n}",
    fix:
      "Rename one of them:\n\nblock Unit(c) {\n  conv(c, kernel=3, pad=1)\n}\nblock Point(c) {\n  conv(c, kernel=1)\n}\nmodel Net {\n  input [3, 8, 8]\n  Unit(8)\n}",
  },
  E0221: {
    title: "merge with fewer than two branches",
    explanation:
      "`add { … }` and `concat { … }` combine two or more branches; each statement inside is one " +
      "branch (an empty chain `{}` is the merge's input unchanged). With one branch there is " +
      "nothing to merge; an `if` branch whose condition is false and has no else still counts, " +
      "as the identity.",
    example: "model Net {\n  input [8, 16, 16]\n  add {  # ~ E0221\n    conv(8, kernel=3, pad=1)\n  }\n}",
    fix: "Add the shortcut as the second branch:\n\nmodel Net {\n  input [8, 16, 16]\n  add {\n    conv(8, kernel=3, pad=1)\n    {}\n  }\n}",
  },
  E0222: {
    title: "model ends with a reference",
    explanation:
      "A model's output is the value of its last layer. A model (or a block used as its last " +
      "statement) that ends with `@label` would make an earlier value the output and leave the " +
      "layers after it unused.",
    example: "model Net {\n  input [8]\n  a: affine(8)\n  affine(4)\n  @a  # ~ E0222\n}",
    fix: "End with the layer whose value is the output:\n\nmodel Net {\n  input [8]\n  a: affine(8)\n  affine(4)\n}",
  },
  E0223: {
    title: "imported file not found",
    explanation:
      "`import \"path\"` reads another .cnn file, relative to the importing file's directory, and " +
      "makes its blocks visible. The file must exist and be readable; its own diagnostics are " +
      "reported at their place in that file.",
    example: 'import "blocks/nowhere.cnn"  # ~ E0223\nmodel Net {\n  input [8]\n  affine(4)\n}',
    fix: "Import an existing file, or drop the import:\n\nmodel Net {\n  input [8]\n  affine(4)\n}",
  },
  E0224: {
    title: "import cycle",
    explanation:
      "A file imports itself, directly or through other files. Imports make blocks visible; they " +
      "must form a tree (a file imported twice on different paths is read once).",
    example: 'import "E0224-import-cycle.cnn"  # ~ E0224\nmodel Net {\n  input [8]\n  affine(4)\n}',
    fix: "Remove the import of the file itself:\n\nmodel Net {\n  input [8]\n  affine(4)\n}",
  },
  E0228: {
    title: "real number where a whole number is required",
    explanation:
      "A decimal literal (`0.5`, `1e-3`) is a real number, and so is the result of `+ - * /` with a " +
      "real operand: block parameters may carry reals for the arguments that take numbers (`p`, " +
      "`eps`, `momentum`, …), computed in 64-bit floats as Python computes them. A channel count, " +
      "kernel, stride, padding, repeat count or any other integer place needs an integer, even when " +
      "the real is whole (`2 * 0.5` is 1.0, not 1). `//` always gives an integer: `x // 1` rounds " +
      "a real down.",
    example:
      "block Wide(c, w = 1.5) {\n  conv(c * w, kernel=3, pad=1)  # ~ E0228\n}\nmodel Net {\n  input [3, 8, 8]\n  Wide(16)\n}",
    fix:
      "Round the real to an integer with `//`:\n\nblock Wide(c, w = 1.5) {\n  conv(c * w // 1, kernel=3, pad=1)\n}\nmodel Net {\n  input [3, 8, 8]\n  Wide(16)\n}",
  },
  E0230: {
    title: "output_pad not smaller than the stride or the dilation",
    explanation:
      "A transposed convolution with stride s maps s input sizes of the convolution it inverts " +
      "onto one; `output_pad` picks which one by adding rows and columns at the bottom and right " +
      "of the output. It must be smaller than the stride or the dilation on each axis (PyTorch's " +
      "rule for ConvTranspose2d's output_padding): a larger value adds rows that no input pixel " +
      "reaches. To grow the output further, use a larger stride or kernel, or an `upsample` layer.",
    example: "model Net {\n  input [8, 7, 7]\n  convtranspose(4, kernel=3, stride=2, pad=1, output_pad=2)  # ~ E0230\n}",
    fix:
      "output_pad=1 gives (7 - 1) * 2 - 2 + 2 + 1 + 1 = 14, twice the input:\n\n" +
      "model Net {\n  input [8, 7, 7]\n  convtranspose(4, kernel=3, stride=2, pad=1, output_pad=1)\n}",
  },
} as const satisfies Record<string, CodeInfo>;
