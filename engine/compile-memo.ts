import { createHash } from 'node:crypto'
import { compileProcess } from './definition/compile.js'
import type { CompileResult } from './definition/compile.js'

/** The texts a derived definition's bases are read from, by process id (what `extends` finds). */
export type BaseTexts = ReadonlyMap<string, { readonly text: string; readonly file: string }>

/** How many compiled definitions are kept: the built-in processes and the versions in use, with room. */
const KEPT = 64
const memo = new Map<string, CompileResult>()

/**
 * {@link compileProcess} of `text` (read as `file`) with the bases `bases` holds, compiled once
 * per process for the same texts: compiling is pure and its result is shared read-only, so every
 * catalog of the process (a server's, and each engine a test or a tool opens) reuses it. The
 * least recently used of more than {@link KEPT} results are forgotten.
 */
export function compileMemoised(text: string, file: string, bases: BaseTexts): CompileResult {
  const hash = createHash('sha256').update(file).update('\0').update(text)
  for (const [id, base] of [...bases].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    hash.update('\0').update(id).update('\0').update(base.file).update('\0').update(base.text)
  }
  const key = hash.digest('base64')
  const kept = memo.get(key)
  if (kept) {
    memo.delete(key)
    memo.set(key, kept)
    return kept
  }
  const result = compileProcess(text, file, { base: (reference) => bases.get(reference.id) })
  memo.set(key, result)
  if (memo.size > KEPT) memo.delete(memo.keys().next().value as string)
  return result
}
