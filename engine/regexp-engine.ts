import { setFlagsFromString } from 'node:v8'

/**
 * Lets V8 move a regular expression match that backtracks too much (over 50,000 backtracks, its
 * default) to its linear-time engine, which runs any expression without backreferences or
 * lookarounds in time proportional to the text. Expressions of process definitions and patterns
 * of their input schemas are written by whoever sends a definition (any token may check one), and
 * a single match cannot be interrupted: without this, `/\d*\d*\d*\d*\d*\d*x/` on 60 digits stalls
 * the server for seconds, and with a few more `\d*` for hours. Ordinary matches never reach the
 * threshold and run as before. Process-wide; idempotent.
 */
export function useLinearRegExpFallback(): void {
  setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks')
  // And the `l` flag, which runs an expression on that engine from the start (definition/pattern-regexp.ts).
  setFlagsFromString('--enable-experimental-regexp-engine')
}
