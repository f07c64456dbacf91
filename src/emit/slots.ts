// Workspace memory by liveness: buffers whose lifetimes do not overlap share
// one allocation. A lifetime is an inclusive range of pass steps (forward of
// layer i is step i, its backward step 2L − 1 − i), so a layer's operands and
// its result, read and written in the same step, never share.

export interface Lifetime {
  /** first step the buffer holds a value that is still needed */
  start: number;
  /** last step that reads it */
  end: number;
  /** elements per sample */
  size: number;
}

/**
 * Greedy interval colouring in order of start: each buffer takes the free slot
 * that fits it most tightly (or grows the largest free one, or opens a new
 * one). Returns each buffer's slot and each slot's size (the largest occupant).
 */
export function assignSlots(lifetimes: readonly Lifetime[]): { slotOf: number[]; sizes: number[] } {
  const order = lifetimes.map((_, i) => i).sort((a, b) => lifetimes[a]!.start - lifetimes[b]!.start || a - b);
  const sizes: number[] = [];
  const freeAfter: number[] = [];
  const slotOf = new Array<number>(lifetimes.length);
  for (const i of order) {
    const t = lifetimes[i]!;
    let best = -1;
    for (let s = 0; s < sizes.length; s++) {
      if (freeAfter[s]! >= t.start) continue;
      if (best < 0) best = s;
      else if (sizes[s]! >= t.size ? sizes[best]! < t.size || sizes[s]! < sizes[best]! : sizes[best]! < t.size && sizes[s]! > sizes[best]!) best = s;
    }
    if (best < 0) {
      best = sizes.length;
      sizes.push(0);
      freeAfter.push(0);
    }
    sizes[best] = Math.max(sizes[best]!, t.size);
    freeAfter[best] = t.end;
    slotOf[i] = best;
  }
  return { slotOf, sizes };
}
