// Numbers written in decimal, for text that comes from outside (CSV cells, command-line flags).
// No imports: the command's bundle takes this file as it is, beside the library package.

/** A decimal number, optionally signed, with a fraction and an exponent, spaces around it allowed. */
const DECIMAL = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

/**
 * The number `text` writes in decimal (`5`, `-0.5`, `.5`, `1e-3`, ` 2 `), else NaN: JavaScript's
 * Number() also reads '0x1A' as 26, '0b11' as 3, '0o7' as 7 and '' as 0 — codes in a table, and
 * typos on a command line, not numbers.
 */
export function parseDecimal(text: string): number {
  return DECIMAL.test(text) ? Number(text) : NaN;
}
