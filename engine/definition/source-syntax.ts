import type { CST } from 'yaml'

/**
 * Checks on yaml's concrete syntax tree (part of `source.ts`, the only reader of the `yaml`
 * package): how deep collections nest, and where a quote or bracket that is never closed was
 * opened. The tree is walked with an explicit stack, so no nesting can exhaust the call stack.
 */

/** Offset of the first collection (in document order) nested more than `max` levels deep, or undefined. */
export function firstTooDeep(tokens: readonly CST.Token[], max: number): number | undefined {
  let first: number | undefined
  const stack: Array<{ token: CST.Token; depth: number }> = tokens.map((token) => ({ token, depth: 0 }))
  for (let entry = stack.pop(); entry !== undefined; entry = stack.pop()) {
    const { token } = entry
    const depth = isCollection(token) ? entry.depth + 1 : entry.depth
    if (depth > max) {
      // Deeper levels below this one can only start later in the text.
      if (first === undefined || token.offset < first) first = token.offset
      continue
    }
    for (const child of childrenOf(token)) stack.push({ token: child, depth })
  }
  return first
}

/** A quote or bracket opened and never closed. */
export interface UnclosedOpening {
  readonly offset: number
  readonly message: string
  readonly hint: string
}

/**
 * The first quoted scalar or flow collection (`[...]`, `{...}`) that is opened but never closed.
 * yaml reports such a mistake where it gave up, often at the end of the file; the opening is
 * where the author must look.
 */
export function firstUnclosed(tokens: readonly CST.Token[]): UnclosedOpening | undefined {
  let first: UnclosedOpening | undefined
  const stack = Array.from(tokens)
  for (let token = stack.pop(); token !== undefined; token = stack.pop()) {
    const found = unclosed(token)
    if (found && (first === undefined || found.offset < first.offset)) first = found
    for (const child of childrenOf(token)) stack.push(child)
  }
  return first
}

function unclosed(token: CST.Token): UnclosedOpening | undefined {
  if (token.type === 'flow-collection') {
    const isSeq = token.start.source === '['
    const end = isSeq ? 'flow-seq-end' : 'flow-map-end'
    if (token.end.some((t) => t.type === end)) return undefined
    const [open, close] = isSeq ? ['[', ']'] : ['{', '}']
    return {
      offset: token.offset,
      message: `The ${open} opened here is never closed with ${close}.`,
      hint: `Close it with ${close} (items inside ${open} ${close} are separated by commas, and may continue on lines indented more than their key); or write the ${isSeq ? 'list as lines starting with "- "' : 'mapping as indented "key: value" lines'}.`,
    }
  }
  if (token.type === 'double-quoted-scalar' && !isClosedQuote(token.source, '"')) {
    return {
      offset: token.offset,
      message: 'The double quote (") opened here is never closed.',
      hint: 'Close it with " (a quoted value may span lines, so the rest of the file was read as part of it); write \\" for a quote inside the value.',
    }
  }
  if (token.type === 'single-quoted-scalar' && !isClosedQuote(token.source, "'")) {
    return {
      offset: token.offset,
      message: "The single quote (') opened here is never closed.",
      hint: "Close it with ' (a quoted value may span lines, so the rest of the file was read as part of it); write '' for a quote inside the value.",
    }
  }
  return undefined
}

/** Whether a quoted scalar's source ends with its closing quote (`\"` escapes in double quotes, `''` in single quotes). */
function isClosedQuote(source: string, quote: '"' | "'"): boolean {
  for (let i = 1; i < source.length; i++) {
    const char = source[i]
    if (quote === '"' && char === '\\') {
      i++
    } else if (char === quote) {
      if (quote === "'" && source[i + 1] === "'") i++
      else return i === source.length - 1
    }
  }
  return false
}

function isCollection(token: CST.Token): boolean {
  return token.type === 'block-map' || token.type === 'block-seq' || token.type === 'flow-collection'
}

function childrenOf(token: CST.Token): CST.Token[] {
  switch (token.type) {
    case 'document':
      return token.value ? [token.value] : []
    case 'block-map':
    case 'block-seq':
    case 'flow-collection': {
      const children: CST.Token[] = []
      for (const item of token.items as CST.CollectionItem[]) {
        if (item.key) children.push(item.key)
        if (item.value) children.push(item.value)
      }
      return children
    }
    default:
      return []
  }
}
