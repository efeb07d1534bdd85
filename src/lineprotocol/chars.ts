/** Character codes of line protocol's syntax, and the characters a line scan passes over. */

export const LF = 10;
export const CR = 13;
export const TAB = 9;
export const SPACE = 32;
export const QUOTE = 34;
export const HASH = 35;
export const COMMA = 44;
export const EQUALS = 61;
export const BACKSLASH = 92;
export const BOM = 0xfeff;

/** 1 for the ASCII characters that change nothing inside a line (a scan passes over them). */
export const ORDINARY = new Uint8Array(128).fill(1);
for (const c of [LF, SPACE, QUOTE, COMMA, EQUALS, BACKSLASH]) ORDINARY[c] = 0;
