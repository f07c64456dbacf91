// Which Python runs the tests that need real PyTorch: the first of `python3` on
// PATH and Debian's /usr/bin/python3 (where the python3-torch package installs)
// that imports torch and numpy; undefined when neither does.
import { execFileSync } from "node:child_process";

export const torchPython: string | undefined = ["python3", "/usr/bin/python3"].find((exe) => {
  try {
    execFileSync(exe, ["-c", "import torch, numpy"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
});
