// Codes the command line itself reports: E00xx when a path cannot be read as
// a .cnn source (before any phase runs) or an option cannot be honoured, and E039x when a model that checked
// exceeds a budget given with --max-params / --max-macs.
import type { CodeInfo } from "./index.ts";

export const cliCodes = {
  E0001: {
    title: "file cannot be read",
    explanation:
      "cnnc could not read the path it was given: it does not exist, or it is not readable by the current user. " +
      "Nothing in the file was checked. " +
      "The command exits with code 2, as for any usage error.",
    example: "$ cnnc check exampels/lenet5.cnn\nerror[E0001]: cannot read `exampels/lenet5.cnn`: no such file or directory",
    fix: "$ cnnc check examples/lenet5.cnn\n\nCheck the spelling of the path and that it is relative to the current directory.",
  },
  E0002: {
    title: "path is not a file",
    explanation:
      "The path names a directory (or a device, socket or pipe), not a .cnn source file. cnnc does not search " +
      "directories; pass the files themselves, for example with a shell glob. The command exits with code 2.",
    example: "$ cnnc check examples\nerror[E0002]: `examples` is a directory, not a .cnn file",
    fix: "$ cnnc check examples/*.cnn",
  },
  E0003: {
    title: "no model with that name",
    explanation:
      "`--model NAME` selects one model of a file, and the file defines no model called NAME. " +
      "Model names are case-sensitive. The command exits with code 2.",
    example: "$ cnnc summary examples/lenet5.cnn --model lenet5\nerror[E0003]: no model named `lenet5` in examples/lenet5.cnn",
    fix: "$ cnnc summary examples/lenet5.cnn --model LeNet5\n\nUse the name exactly as written after `model` in the file.",
  },
  E0004: {
    title: "an option asks for more memory than there is",
    explanation:
      "`cnnc gradcheck --batch N` allocates the f64 workspace of the generated module for N samples, plus the " +
      "harness's own arrays, all sized by N. Before doing any work cnnc computes those bytes from the model and " +
      "refuses a batch that needs more than this machine's memory, or whose largest array would hold more than " +
      "2^32 elements (the most a JavaScript typed array holds in Node 20). The message gives both numbers and " +
      "the largest batch that fits. The command exits with code 2, as for any usage error.",
    example:
      "$ cnnc gradcheck examples/lenet5.cnn --batch 1000000000\n" +
      "error[E0004]: --batch 1000000000 needs 475.1 TiB for the gradient check of LeNet5, more than the limit of 23.5 GiB",
    fix: "$ cnnc gradcheck examples/lenet5.cnn --batch 8\n\nA gradient check needs only a few samples: the default batch is 2.",
  },
  E0390: {
    title: "model has more parameters than the budget allows",
    explanation:
      "`cnnc check --max-params N` fails every model whose trainable parameter count (weights and biases, " +
      "not batchnorm running statistics) is greater than N. Use it in CI so that a change which makes a " +
      "model much larger cannot merge unnoticed. The diagnostic points at the model and labels its largest layers.",
    example:
      "# cnnc check --max-params 50000 mlp.cnn\nmodel MLP {\n  input [784]\n  affine(100)   # 78,500 parameters\n  relu\n  affine(10)\n}",
    fix:
      "model MLP {\n  input [784]\n  affine(50)    # 39,250 parameters\n  relu\n  affine(10)\n}\n\n" +
      "Shrink the largest layers (usually the first affine after the convolutions), or raise the budget.",
  },
  E0391: {
    title: "model needs more multiply-accumulates than the budget allows",
    explanation:
      "`cnnc check --max-macs N` fails every model whose multiply-accumulate count for one sample's forward " +
      "pass (conv and affine layers) is greater than N. MACs are a portable proxy for inference time. " +
      "The diagnostic points at the model and labels its most expensive layers.",
    example:
      "# cnnc check --max-macs 5000000 net.cnn\nmodel Net {\n  input [3, 32, 32]\n  conv(32, kernel=3, pad=1)   # 884,736 MACs\n  relu\n  conv(32, kernel=3, pad=1)   # 9,437,184 MACs\n}",
    fix:
      "model Net {\n  input [3, 32, 32]\n  conv(32, kernel=3, pad=1)\n  relu\n  maxpool(2)\n  conv(32, kernel=3, pad=1)   # 2,359,296 MACs on 16×16\n}\n\n" +
      "Downsample earlier (pooling or stride), use fewer filters, or raise the budget.",
  },
} as const satisfies Record<string, CodeInfo>;
