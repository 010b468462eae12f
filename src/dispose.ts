/**
 * `Symbol.dispose`, the key of the method that `using` calls at the end of a block. Engines
 * without explicit resource management (Safari, Chrome before 134) lack it: it is defined here as
 * `Symbol.for('Symbol.dispose')`, the symbol TypeScript's and esbuild's `using` helpers look up,
 * so `using m = new Sequential(...)` (TypeScript ≥ 5.2) frees `m` at the end of the block in
 * every engine. Classes name their method `[disposeSymbol]`, which also keeps this definition in
 * every bundle that keeps the class.
 */
const symbols = Symbol as unknown as { dispose?: symbol };
symbols.dispose ??= Symbol.for('Symbol.dispose');

export const disposeSymbol: typeof Symbol.dispose = symbols.dispose as typeof Symbol.dispose;
