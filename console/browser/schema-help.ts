// Help from a JSON Schema while YAML is typed: which keys may be written where the cursor is,
// and what a key means. Pure (no DOM), so it is tested in Node; the studio's editor asks it for
// completions and hover texts. It reads block YAML by its indentation (what definitions use);
// inside flow collections (`{ a: 1 }`) it offers nothing rather than guess.

export type Schema = { readonly [key: string]: unknown }

/** One key that may be written here, with what it means. */
export interface KeyHelp {
  readonly key: string
  readonly description: string | undefined
}

interface Line { readonly dash: number | undefined; readonly keyAt: number; readonly key: string | undefined; readonly blank: boolean }

const KEY = /^(\s*)(- +)?([A-Za-z0-9_$][\w$.-]*)?\s*(:)?/

function readLine(text: string): Line {
  const match = KEY.exec(text)
  const indent = match?.[1]?.length ?? 0
  const dash = match?.[2] === undefined ? undefined : indent
  const keyAt = indent + (match?.[2]?.length ?? 0)
  return { dash, keyAt, key: match?.[4] === undefined ? undefined : match[3], blank: text.trim() === '' || text.trim().startsWith('#') }
}

/**
 * The path of mappings and lists that holds a key written at `column` on line `row` (0-based),
 * as keys and `[]` for a list's item, from the document's root.
 */
export function pathAt(lines: readonly string[], row: number, column: number): string[] {
  const path: string[] = []
  const current = readLine(lines[row] ?? '')
  let at = column
  if (current.dash !== undefined && current.dash < column) {
    path.unshift('[]')
    at = current.dash
  }
  for (let r = row - 1; r >= 0 && at > 0; r--) {
    const line = readLine(lines[r] ?? '')
    if (line.blank) continue
    if (line.key !== undefined && line.keyAt < at) {
      path.unshift(line.key)
      at = line.keyAt
      if (line.dash !== undefined && line.dash < at) {
        path.unshift('[]')
        at = line.dash
      }
    } else if (line.dash !== undefined && line.dash < at && line.keyAt >= at) {
      path.unshift('[]')
      at = line.dash
    } else if (line.keyAt < at && line.key === undefined && line.dash === undefined) {
      // A line of a value (a folded text, a flow collection): not a key that could hold this one.
      continue
    }
  }
  return path
}

/** The schema at `path` in `root`: following properties, list items, `$ref`s and the branches of oneOf/anyOf/allOf. */
export function schemaAt(root: Schema, path: readonly string[]): Schema[] {
  let current: Schema[] = [root]
  for (const segment of path) {
    current = current.flatMap((schema) => expand(root, schema)).flatMap((schema) => childOf(schema, segment)).flatMap((s) => expand(root, s))
    if (current.length === 0) return []
  }
  return current.flatMap((schema) => expand(root, schema))
}

function childOf(schema: Schema, segment: string): Schema[] {
  if (segment === '[]') return isSchema(schema['items']) ? [schema['items']] : []
  const properties = schema['properties']
  if (isSchema(properties) && isSchema(properties[segment])) return [properties[segment]]
  const patterns = schema['patternProperties']
  if (isSchema(patterns)) {
    const matched = Object.entries(patterns).filter(([pattern]) => safeTest(pattern, segment)).map(([, s]) => s).filter(isSchema)
    if (matched.length > 0) return matched
  }
  return isSchema(schema['additionalProperties']) ? [schema['additionalProperties']] : []
}

/** `schema` with its `$ref` resolved and its oneOf/anyOf/allOf branches beside it. */
function expand(root: Schema, schema: Schema, depth = 0): Schema[] {
  if (depth > 10) return []
  const ref = schema['$ref']
  const resolved = typeof ref === 'string' && ref.startsWith('#/') ? [schema, ...resolve(root, ref).flatMap((s) => expand(root, s, depth + 1))] : [schema]
  return resolved.flatMap((s) => [s, ...['oneOf', 'anyOf', 'allOf'].flatMap((k) => Array.isArray(s[k]) ? (s[k] as unknown[]).filter(isSchema).flatMap((b) => expand(root, b, depth + 1)) : [])])
}

function resolve(root: Schema, ref: string): Schema[] {
  let node: unknown = root
  for (const part of ref.slice(2).split('/')) node = isSchema(node) ? node[part.replaceAll('~1', '/').replaceAll('~0', '~')] : undefined
  return isSchema(node) ? [node] : []
}

/** The keys that may be written at line `row`, column `column` of `text`, less those its mapping already has. */
export function keysAt(root: Schema, text: string, row: number, column: number): KeyHelp[] {
  const lines = text.split('\n')
  const schemas = schemaAt(root, pathAt(lines, row, column))
  const present = siblings(lines, row, column)
  const found = new Map<string, string | undefined>()
  for (const schema of schemas) {
    const properties = schema['properties']
    if (!isSchema(properties)) continue
    for (const [key, value] of Object.entries(properties)) {
      if (present.has(key) || found.has(key)) continue
      found.set(key, isSchema(value) ? descriptionOf(root, value) : undefined)
    }
  }
  return [...found].map(([key, description]) => ({ key, description }))
}

/** What the key on line `row` means, when the schema says. */
export function describeKey(root: Schema, text: string, row: number): { key: string; description: string } | undefined {
  const lines = text.split('\n')
  const line = readLine(lines[row] ?? '')
  if (line.key === undefined) return undefined
  const description = schemaAt(root, [...pathAt(lines, row, line.keyAt), line.key]).map((s) => s['description']).find((d): d is string => typeof d === 'string')
  return description === undefined ? undefined : { key: line.key, description }
}

/** Keys already written in the mapping that holds column `column` of line `row`. */
function siblings(lines: readonly string[], row: number, column: number): Set<string> {
  const keys = new Set<string>()
  // Upwards, the line with the list's dash starts this very mapping: its key is one of them.
  const collect = (r: number, upwards: boolean): boolean => {
    const line = readLine(lines[r] ?? '')
    if (line.blank) return true
    if (line.keyAt < column) return false
    const itemStart = line.dash !== undefined && line.keyAt === column
    if (itemStart && !upwards) return false
    if (line.keyAt === column && line.key !== undefined) keys.add(line.key)
    return !itemStart
  }
  const here = readLine(lines[row] ?? '')
  if (here.dash === undefined || here.keyAt !== column) for (let r = row - 1; r >= 0 && collect(r, true); r--);
  for (let r = row + 1; r < lines.length && collect(r, false); r++);
  return keys
}

function descriptionOf(root: Schema, schema: Schema): string | undefined {
  return expand(root, schema).map((s) => s['description']).find((d): d is string => typeof d === 'string')
}

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function safeTest(pattern: string, text: string): boolean {
  try {
    return new RegExp(pattern, 'u').test(text)
  } catch {
    return false
  }
}
