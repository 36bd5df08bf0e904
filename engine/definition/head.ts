import { readSource } from './source.js'

/** What places a definition among others: its id, version and base, and the roles it names, when written as such. */
export interface DefinitionHead {
  readonly id: string | undefined
  readonly version: number | undefined
  readonly extends: string | undefined
  /** The roles its `roles` lists (none when it lists none, as a derived process may). */
  readonly roles: readonly string[]
}

/** How many heads are kept (every built-in and registered text a catalog looks through, with room), of texts up to how long. */
const KEPT = 128
const KEPT_LENGTH = 64 * 1024
const heads = new Map<string, DefinitionHead>()

/**
 * The head of a definition's text, read without checking anything else (a text that is not a
 * mapping has none of the three). Each text is read once per process: finding bases and ordering
 * the built-in processes looks at the same texts again and again.
 */
export function definitionHead(text: string): DefinitionHead {
  const kept = heads.get(text)
  if (kept) return kept
  const value = readSource(text, '').value as { id?: unknown; version?: unknown; extends?: unknown; roles?: unknown } | undefined
  const fields = typeof value === 'object' && value !== null ? value : {}
  const head: DefinitionHead = {
    id: typeof fields.id === 'string' ? fields.id : undefined,
    version: Number.isInteger(fields.version) ? fields.version as number : undefined,
    extends: typeof fields.extends === 'string' ? fields.extends : undefined,
    roles: Array.isArray(fields.roles) ? fields.roles.filter((name): name is string => typeof name === 'string') : [],
  }
  if (text.length <= KEPT_LENGTH) {
    heads.set(text, head)
    if (heads.size > KEPT) heads.delete(heads.keys().next().value as string)
  }
  return head
}
