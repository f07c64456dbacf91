import type { CodeInfo } from "./index.ts";

export const argumentCodes = {} as const satisfies Record<string, CodeInfo>;
