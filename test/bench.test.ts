// The benchmark's statistics and table formatting (bench/stats.ts). No timing:
// expected values are worked out by hand from the definitions.
import { describe, expect, it } from "vitest";
import { fmt, fmtBytes, gflops, markdownTable, median, quantile } from "../bench/stats.ts";

describe("bench statistics", () => {
  it("median of odd and even counts, unsorted input, input left untouched", () => {
    const xs = [5, 1, 4, 2, 3];
    expect(median(xs)).toBe(3);
    expect(xs).toEqual([5, 1, 4, 2, 3]);
    expect(median([10, 2, 4, 8])).toBe(6); // (4 + 8) / 2
    expect(median([7])).toBe(7);
    expect(() => median([])).toThrow(RangeError);
  });

  it("quantiles interpolate between order statistics", () => {
    const xs = [40, 10, 30, 20]; // sorted 10 20 30 40
    expect(quantile(xs, 0)).toBe(10);
    expect(quantile(xs, 1)).toBe(40);
    expect(quantile(xs, 0.5)).toBe(25);
    expect(quantile(xs, 0.25)).toBeCloseTo(17.5, 12); // h = 0.75 → 10 + 0.75·10
  });

  it("GFLOP/s from FLOPs and milliseconds", () => {
    expect(gflops(2e9, 1000)).toBe(2);
    expect(gflops(3e6, 1)).toBe(3);
  });

  it("formats numbers to three significant digits and bytes in binary units", () => {
    expect(fmt(1234.6)).toBe("1235");
    expect(fmt(12.345)).toBe("12.3");
    expect(fmt(0.012345)).toBe("0.0123");
    expect(fmt(undefined)).toBe("—");
    expect(fmt(Number.NaN)).toBe("—");
    expect(fmtBytes(512)).toBe("512 B");
    expect(fmtBytes(1536)).toBe("1.5 KiB");
    expect(fmtBytes(3 * 1024 * 1024)).toBe("3.0 MiB");
  });

  it("markdown table: padded columns, numeric columns right-aligned", () => {
    const t = markdownTable(
      ["name", "ms"],
      [
        ["a", "1.5"],
        ["long name", "12"],
      ],
    );
    expect(t.split("\n")).toEqual(["| name      |  ms |", "|-----------|----:|", "| a         | 1.5 |", "| long name |  12 |"]);
  });

  it("markdown table: empty cells do not stop a column being numeric; text columns stay left", () => {
    const t = markdownTable(["k", "v"], [["x", "3%"], ["total", ""]]);
    expect(t.split("\n")).toEqual(["| k     |  v |", "|-------|---:|", "| x     | 3% |", "| total |    |"]);
  });
});
