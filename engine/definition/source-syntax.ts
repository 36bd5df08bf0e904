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

/** A quote or bracket opened and never closed, or another mistake placed where the author must look. */
export interface UnclosedOpening {
  readonly offset: number
  readonly message: string
  readonly hint: string
}

/**
 * The first quoted scalar that is opened but never closed, else the first flow collection
 * (`[...]`, `{...}`). yaml reports such a mistake where it gave up, often at the end of the file;
 * the opening is where the author must look. A quote comes first: it reads the rest of the file,
 * so a bracket before it (`[customer, "isv]`) is left open by the quote, not by its author.
 */
export function firstUnclosed(tokens: readonly CST.Token[]): UnclosedOpening | undefined {
  let quote: UnclosedOpening | undefined
  let bracket: UnclosedOpening | undefined
  const stack = Array.from(tokens)
  for (let token = stack.pop(); token !== undefined; token = stack.pop()) {
    const found = unclosed(token)
    if (found && token.type === 'flow-collection') bracket = bracket === undefined || found.offset < bracket.offset ? found : bracket
    else if (found) quote = quote === undefined || found.offset < quote.offset ? found : quote
    for (const child of childrenOf(token)) stack.push(child)
  }
  return quote ?? bracket
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

/** Where the line holding `offset` starts (after a line feed or a lone carriage return). */
export function lineStartOf(text: string, offset: number): number {
  return Math.max(text.lastIndexOf('\n', offset - 1), text.lastIndexOf('\r', offset - 1)) + 1
}

/** A line that starts with a key: its indentation (spaces only) and the key. */
const KEY_LINE = /^( *)([^\s:#'"[\]{},-][^:\r\n]*):(?=[ \r\n]|$)/
/** A line with a key after its indentation and any list dashes (`  - id:`): what counts as its indentation, and the key. */
const KEY_ABOVE = /^((?: *- +)* *)([^\s:#][^:\r\n]*):(?=[ \r\n]|$)/

const isBlankOrComment = (line: string): boolean => line.trim() === '' || line.trim().startsWith('#')
const spaces = (n: number): string => `${n} space${n === 1 ? '' : 's'}`
const lineNumber = (text: string, offset: number): number => (text.slice(0, offset).match(/\r\n?|\n/g)?.length ?? 0) + 1
const lineAt = (text: string, start: number): string => text.slice(start).split(/\r\n?|\n/, 1)[0] as string

/**
 * A key indented deeper than the keys of its mapping (`    title: T` then `     actor: a`):
 * YAML reads the deeper line as the rest of the value above it, and yaml reports a multi-line key
 * at that value (`start` to `end`). Returns the mistake at the deeper line's key, or undefined
 * when the value does not continue onto a line that starts with a key.
 */
export function deeperKey(text: string, start: number, end: number): UnclosedOpening | undefined {
  const lineEnd = text.slice(start, end).search(/\r\n?|\n/)
  if (lineEnd < 0) return undefined
  const breakAt = start + lineEnd
  const nextStart = breakAt + (text.startsWith('\r\n', breakAt) ? 2 : 1)
  const next = KEY_LINE.exec(lineAt(text, nextStart))
  const lineStart = lineStartOf(text, start)
  const above = KEY_ABOVE.exec(text.slice(lineStart, breakAt))
  if (!next || !above) return undefined
  const [indent, aboveIndent] = [(next[1] as string).length, (above[1] as string).length]
  if (indent <= aboveIndent) return undefined
  return {
    offset: nextStart + indent,
    message: `\`${next[2]}:\` is indented ${spaces(indent)}, deeper than \`${above[2]}:\` on line ${lineNumber(text, lineStart)} (${aboveIndent}): YAML reads this line as the rest of that key's value.`,
    hint: `Indent the keys of one mapping by the same number of spaces: start \`${next[2]}:\` in column ${aboveIndent + 1}, as \`${above[2]}:\`.`,
  }
}

/**
 * A key indented less than the key on the line above but not as little as a key of a mapping
 * around it (`    title: T` then `   actor: a`), where yaml reports a bad indentation or a list
 * item without its dash at the line's start. Returns the mistake at the key, or undefined when
 * the line at `offset` is not such a line.
 */
export function shallowerKey(text: string, offset: number): UnclosedOpening | undefined {
  // yaml may notice it at a comment or a blank line before the key.
  let start = lineStartOf(text, offset)
  while (isBlankOrComment(lineAt(text, start))) {
    const next = /\r\n?|\n/.exec(text.slice(start))
    if (!next) return undefined
    start += next.index + next[0].length
  }
  const here = KEY_LINE.exec(lineAt(text, start))
  let aboveStart = start
  let above: RegExpExecArray | null = null
  while (aboveStart > 0 && above === null) {
    aboveStart = lineStartOf(text, aboveStart - 1)
    const line = lineAt(text, aboveStart)
    if (isBlankOrComment(line)) continue
    above = KEY_ABOVE.exec(line)
    if (above === null) return undefined
  }
  if (!here || !above) return undefined
  const [indent, aboveIndent] = [(here[1] as string).length, (above[1] as string).length]
  if (indent === 0 || indent >= aboveIndent) return undefined
  return {
    offset: start + indent,
    message: `\`${here[2]}:\` is indented ${spaces(indent)}, less than \`${above[2]}:\` on line ${lineNumber(text, aboveStart)} (${aboveIndent}): the keys of one mapping must all start in the same column.`,
    hint: `Start \`${here[2]}:\` in column ${aboveIndent + 1}, as \`${above[2]}:\`, or in the column of the key it belongs under.`,
  }
}

/** Spaces that look like a space but that YAML does not take as one: the no-break spaces, the wide spaces of CJK text and the like. */
const ODD_SPACE = /[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\ufeff]/

/**
 * A line, the one holding `offset` or the one before it, indented with a space YAML does not
 * take as indentation (a no-break space, an ideographic space): yaml reads what follows as text
 * and reports something else. Returns the mistake at that space, or undefined.
 */
export function odderSpace(text: string, offset: number): UnclosedOpening | undefined {
  const here = lineStartOf(text, offset)
  for (const start of [here, here > 0 ? lineStartOf(text, here - 1) : here]) {
    const indent = /^[ \t]*/.exec(lineAt(text, start))?.[0].length ?? 0
    const char = text[start + indent]
    if (char === undefined || !ODD_SPACE.test(char)) continue
    const code = `U+${(char.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}`
    return {
      offset: start + indent,
      message: `This line is indented with ${code} (${char === '\u00a0' ? 'a no-break space' : char === '\u3000' ? 'an ideographic space' : 'a space of another kind'}), which YAML does not take as indentation.`,
      hint: 'Indent with plain spaces (U+0020); an editor or a copy from a web page or a document may have put this one in.',
    }
  }
  return undefined
}
