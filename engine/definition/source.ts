import { Composer, isAlias, isMap, isNode, isPair, isScalar, isSeq, Lexer, LineCounter, Parser, visit } from 'yaml'
import type { Alias, CST, Document, ErrorCode as YAMLErrorCode, Node, Pair, Scalar, YAMLMap } from 'yaml'
import type { DefinitionCode, SourceLocation } from '../errors.js'
import { DefinitionError } from '../errors.js'
import { checkDefinitionText } from './decode.js'
import { MAX_ALIAS_CHARACTERS, MAX_ALIAS_NODES, MAX_NESTING_DEPTH, MAX_PROBLEMS, MAX_YAML_TOKENS } from './limits.js'
import { parsePointer, pointerOf } from './pointer.js'
import { checkAliases, isMergeKey } from './source-aliases.js'
import { deeperKey, firstTooDeep, firstUnclosed, lineStartOf, odderSpace, shallowerKey } from './source-syntax.js'
import type { UnclosedOpening } from './source-syntax.js'
import { keyOf, toValue } from './source-value.js'

/**
 * A parsed YAML source that remembers where every node came from. This file and its parts
 * (`source-syntax.ts`, `source-aliases.ts`) and nothing else touch the `yaml` package's v2 API,
 * so a change of that API stays in one place.
 */
export interface Source {
  readonly file: string
  readonly text: string
  /** The plain JavaScript value of the document (`undefined` when it cannot be read or is empty; duplicate keys keep the last value). */
  readonly value: unknown
  /** Problems found while reading: size, encoding, syntax, nesting, aliases, emptiness, duplicate keys. */
  readonly problems: readonly DefinitionError[]
  /** Location of the node at a JSON Pointer, or of its nearest existing ancestor. */
  locate(pointer: string): SourceLocation
  /** Builds a located {@link DefinitionError} at the node at `pointer`. */
  error(code: DefinitionCode, pointer: string, message: string, hint?: string): DefinitionError
  /**
   * Builds a located {@link DefinitionError} at the character `index` of the text at `pointer` (a
   * mistake inside an expression), where the text is written as it reads; else at the text.
   */
  errorWithin(code: DefinitionCode, pointer: string, index: number | undefined, message: string, hint?: string): DefinitionError
  /** Builds a located {@link DefinitionError} at the key of the property at `pointer` (unknown or misnamed properties). */
  errorAtKey(code: DefinitionCode, pointer: string, message: string, hint?: string): DefinitionError
}

const SYNTAX_HINT = 'Fix the YAML syntax first: indentation, quoting and brackets.'
/** What usually causes yaml's commonest errors, and the fix. */
const SYNTAX_HINTS: Partial<Record<YAMLErrorCode, string>> = {
  BLOCK_AS_IMPLICIT_KEY: 'A value may not start a mapping or a list on its key\'s line: begin it on the next line, indented.',
  MULTILINE_IMPLICIT_KEY: 'A key must fit on one line; if this line continues a value, quote the value or indent it under its key.',
  TAB_AS_INDENT: 'Indent with spaces; YAML does not allow tabs for indentation.',
  BAD_INDENT: 'Indent the entries of one mapping or list by the same number of spaces, and their contents further.',
  BAD_SCALAR_START: 'A plain value may not start with this character (@, `, %, | or >): put the value in quotes.',
  BAD_DQ_ESCAPE: 'Inside double quotes a backslash starts an escape such as \\n or \\"; write \\\\ for a backslash, or use single quotes.',
  UNEXPECTED_TOKEN: 'Check the line for a stray character, a missing comma between items in [ ] or { }, or an indentation error.',
}
const EMPTY_HINT = 'A process definition is a YAML mapping with at least `id`, `version`, `title`, `roles` and `steps`; see docs/language.md ("Writing a process").'

/**
 * Parses YAML text, collecting every problem with its line and column; never throws. In order,
 * each stage running only when the one before found nothing: the size and the characters
 * ({@link checkDefinitionText}); the nesting depth, on the concrete syntax tree before any
 * recursion; syntax errors (an unclosed quote or bracket at its opening, and nothing after it);
 * emptiness; anchors and aliases (unknown, cyclic, expanding too far); duplicate keys. YAML merge
 * keys (`<<: *defaults`) are supported, and locations follow them and aliases to where the value
 * is written.
 */
export function readSource(text: string, file: string): Source {
  try {
    // A lone carriage return (old Mac line ends) is a line break in YAML 1.2, which the parser
    // does not read as one; as a line feed it is, and every offset stays where it was.
    return read(text.includes('\r') ? text.replace(/\r(?!\n)/g, '\n') : text, file)
  } catch (error) {
    // Every input above is bounded and checked; this only keeps an unforeseen failure of the
    // parser a located problem of the file rather than a crash of `validate` or an HTTP 500.
    const at = { file, line: 1, column: 1, pointer: '' }
    return located(file, text, undefined, [new DefinitionError('definition.yaml-syntax', `The YAML parser failed on this file: ${(error as Error).message}.`, at, SYNTAX_HINT)], () => at, new Map())
  }
}

function read(text: string, file: string): Source {
  const lines = linesOf(text)
  const at = (offset: number, pointer = ''): SourceLocation => {
    const { line, col } = lines.linePos(offset)
    return { file, line, column: col, pointer }
  }
  const problem = (code: DefinitionCode, offset: number, message: string, hint?: string): DefinitionError =>
    new DefinitionError(code, message, at(offset), hint)
  const unlocated = (problems: readonly DefinitionError[]): Source => located(file, text, undefined, problems, at, new Map())

  const textProblem = checkDefinitionText(text, file)
  if (textProblem) return unlocated([textProblem])
  const parsed = parseTokens(text)
  if (parsed.tooManyTokens) {
    return unlocated([problem('definition.too-large', 0, `The definition holds more than ${MAX_YAML_TOKENS.toLocaleString('en')} YAML tokens (values, punctuation and line breaks).`,
      'A process definition holds a few thousand; check that this is the right file, or move large data out of it.')])
  }
  const { tokens } = parsed
  const deep = parsed.tooDeepAt ?? firstTooDeep(tokens, MAX_NESTING_DEPTH)
  if (deep !== undefined) {
    return unlocated([problem('definition.too-deep', deep, `Mappings and lists nest more than ${MAX_NESTING_DEPTH} levels deep here.`,
      'Flatten the structure; a process definition needs far fewer levels (the built-in ones at most 10).')])
  }
  const docs = Array.from(new Composer({ uniqueKeys: false, merge: true, logLevel: 'error' }).compose(tokens, true, text.length))
  const doc = docs[0]
  if (!doc) return unlocated([problem('definition.empty', 0, 'The file is empty.', EMPTY_HINT)])

  const syntax = syntaxProblems(doc, text, tokens, problem)
  // YAML 1.1 reads some values otherwise than 1.2 (010 as 8, yes as true, a date as a timestamp), silently.
  const { version, explicit } = doc.directives?.yaml ?? { version: '1.2', explicit: false }
  if (explicit && version !== '1.2') {
    syntax.unshift(problem('definition.yaml-syntax', Math.max(0, text.indexOf('%YAML')), `This file declares YAML ${version}, which reads some values otherwise (010 as 8, yes as true, a date as a timestamp); a process is read as YAML 1.2.`,
      'Remove the %YAML line, or write %YAML 1.2.'))
  }
  // A document holding nothing (a `---` or `...` line, comments) after the process loses nothing.
  const second = docs.slice(1).find((later) => !holdsNothing(later))
  if (second) {
    // The marker that ended the first: `---` starts another, `...` ends one (what follows it is another).
    const marker = [...text.slice(0, second.range[0] + 3).matchAll(/(?:^|\n)(---|\.\.\.)(?=[ \t\r\n#]|$)/g)].at(-1)?.[1] ?? '---'
    syntax.push(problem('definition.yaml-syntax', second.range[0], 'A second YAML document starts here; a process file holds one.',
      marker === '...' ? 'Remove the `...` line (it ends the document, so what follows it is another), or move what follows to a file of its own.' : 'Remove the `---` line and what follows, or move it to a file of its own.'))
  }
  if (syntax.length > 0) return located(file, text, doc, syntax, at, new Map())
  // Nothing but markers and comments: `---` alone leaves an empty value, which is no process either.
  if (holdsNothing(doc)) {
    const message = text.replace(/^\uFEFF/, '').trim() === '' ? 'The file is empty.' : 'The file holds only comments (or document markers), no process.'
    return unlocated([problem('definition.empty', 0, message, EMPTY_HINT)])
  }

  const aliases = checkAliases(doc, { nodes: MAX_ALIAS_NODES, characters: MAX_ALIAS_CHARACTERS }, MAX_NESTING_DEPTH)
  if (aliases.problems.length > 0) {
    return located(file, text, doc, aliases.problems.map((p) => problem(p.code, p.offset, p.message, p.hint)), at, aliases.targets)
  }
  const duplicates = duplicateKeys(doc, at)
  return located(file, text, doc, duplicates, at, aliases.targets, toValue(doc.contents, aliases.targets))
}

/** Whether a document holds no value: nothing but its markers and comments (no tag, no anchor, no error). */
function holdsNothing(doc: Document.Parsed): boolean {
  if (doc.errors.length > 0) return false
  const { contents } = doc
  return contents === null || (isScalar(contents) && contents.value === null && contents.source === '' && contents.tag === undefined && contents.anchor === undefined)
}

function syntaxHint(code: YAMLErrorCode, message: string): string {
  // "Nested mappings are not allowed in compact mappings": a second ": " on the line of a key.
  if (code === 'BLOCK_AS_IMPLICIT_KEY' && message.includes('compact mappings')) {
    return 'A plain value may not contain ": " (a colon and a space): put the value in quotes, e.g. title: "Deliver: on time".'
  }
  return SYNTAX_HINTS[code] ?? SYNTAX_HINT
}

/**
 * yaml's concrete syntax tree of `text`, parsed one lexical token at a time as yaml's
 * `Parser.parse` does, but stopping at {@link MAX_YAML_TOKENS} tokens, and as soon as more than
 * {@link MAX_NESTING_DEPTH} collections are open: yaml's parser closes nested block collections
 * recursively, so ten thousand of them would overflow the stack.
 */
/**
 * Where each line of `text` starts, read from the text itself: the parser reports the line breaks
 * it meets, but not those inside a token it made while recovering from a syntax error (a `]`
 * where none may be), so the places after one were counted on an earlier line.
 */
function linesOf(text: string): LineCounter {
  const lines = new LineCounter()
  lines.addNewLine(0)
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines.addNewLine(i + 1)
  return lines
}

function parseTokens(text: string): { tokens: CST.Token[]; tooManyTokens?: true; tooDeepAt?: number } {
  const parser = new Parser()
  const tokens: CST.Token[] = []
  let count = 0
  for (const lexeme of new Lexer().lex(text)) {
    if (++count > MAX_YAML_TOKENS) return { tokens, tooManyTokens: true }
    for (const token of parser.next(lexeme)) tokens.push(token)
    if (parser.stack.length > MAX_NESTING_DEPTH) {
      const open = parser.stack.filter((token) => token.type === 'block-map' || token.type === 'block-seq' || token.type === 'flow-collection')
      const deepest = open[MAX_NESTING_DEPTH]
      if (deepest) return { tokens, tooDeepAt: deepest.offset }
    }
  }
  for (const token of parser.end()) tokens.push(token)
  return { tokens }
}

/**
 * yaml's syntax errors, except that a quote or bracket never closed is reported once, where it
 * was opened, and the errors it causes after that point are dropped; a key indented deeper than
 * its mapping's is reported at that key (yaml reports the value above it, twice); and of the
 * errors on one line only the first is kept (the others follow from it, as after a tab).
 */
function syntaxProblems(doc: Document, text: string, tokens: readonly CST.Token[], problem: (code: DefinitionCode, offset: number, message: string, hint?: string) => DefinitionError): DefinitionError[] {
  if (doc.errors.length === 0) return valueProblems(doc, text, problem)
  const opening = firstUnclosed(tokens)
  const caused = opening && doc.errors.some((e) => e.pos[0] >= opening.offset)
  const kept = caused ? doc.errors.filter((e) => e.pos[0] < opening.offset) : doc.errors
  // Indentation mistakes, reported at the key rather than where yaml noticed them: a key
  // indented less than the one above it, then one indented deeper (which makes yaml report the
  // value above it, twice), unless the line above is itself one indented less.
  const moved = new Map<number, UnclosedOpening>()
  for (const e of kept) {
    const found = e.code === 'BAD_INDENT' || e.code === 'MISSING_CHAR' ? shallowerKey(text, e.pos[0]) : undefined
    if (found) moved.set(e.pos[0], found)
  }
  const shallower = new Set([...moved.values()].map((found) => lineStartOf(text, found.offset)))
  for (const e of kept) {
    const found = e.code === 'MULTILINE_IMPLICIT_KEY' && !shallower.has(lineStartOf(text, e.pos[0])) ? deeperKey(text, e.pos[0], e.pos[1]) : undefined
    if (found) moved.set(e.pos[0], found)
  }
  // A space YAML does not take as indentation (a no-break space, an ideographic space) on the
  // line of a problem, or the line before it, is the mistake: yaml reads the line as text.
  for (const e of kept) {
    const found = odderSpace(text, e.pos[0])
    if (found) moved.set(e.pos[0], found)
  }
  const lines = new Set<number>()
  const problems: DefinitionError[] = []
  for (const e of kept) {
    const found = moved.get(e.pos[0])
    // A line indented with a tab, whatever yaml made of it (a block scalar's "must be indented").
    const tabbed = text[lineStartOf(text, e.pos[0])] === '\t' && /indent/i.test(e.message)
    const [offset, message, hint] = found ? [found.offset, found.message, found.hint]
      : tabbed ? [e.pos[0], 'Tabs are not allowed as indentation', syntaxHint('TAB_AS_INDENT', '')] : [e.pos[0], e.message.trim(), syntaxHint(e.code, e.message)]
    const line = lineStartOf(text, offset)
    if (lines.has(line)) continue
    lines.add(line)
    problems.push(problem('definition.yaml-syntax', offset, message, hint))
  }
  if (caused) problems.push(problem('definition.yaml-syntax', opening.offset, opening.message, opening.hint))
  return problems
}

/** The tags of JSON's values: a definition holds nothing else. */
const JSON_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((name) => `tag:yaml.org,2002:${name}`))

/**
 * Values a definition cannot hold though they parse: explicit tags that would make a value JSON
 * cannot hold (`!!timestamp` a date, `!!binary` bytes, `!!set`) or that yaml cannot apply
 * (`!custom`, `!!float abc`), which it would otherwise ignore, each reported at its tag; and
 * texts holding U+0000 through an escape, each at its text.
 */
function valueProblems(doc: Document, text: string, problem: (code: DefinitionCode, offset: number, message: string, hint?: string) => DefinitionError): DefinitionError[] {
  const tags = new Set<number>()
  const nuls: number[] = []
  for (const warning of doc.warnings) if (warning.code === 'TAG_RESOLVE_FAILED') tags.add(warning.pos[0])
  visit(doc, {
    Node: (_, node) => {
      // U+0000 written as an escape ("\0", "\x00", "\u0000"): no text the Delivery Center keeps may hold it (PostgreSQL's cannot).
      if (isScalar(node) && typeof node.value === 'string' && node.value.includes('\u0000') && node.range) nuls.push(node.range[0])
      if (node.tag === undefined || JSON_TAGS.has(node.tag) || !node.range) return
      // The tag written before the value, else the value.
      let tag = text.lastIndexOf('!', node.range[0])
      while (tag > 0 && text[tag - 1] === '!') tag--
      tags.add(tag >= 0 && /^!\S*\s+$/.test(text.slice(tag, node.range[0])) ? tag : node.range[0])
    },
  })
  return [...[...tags].sort((a, b) => a - b).map((offset) => {
    const tag = /^!\S*/.exec(text.slice(offset))?.[0] ?? ''
    const json = tag.startsWith('!!') && JSON_TAGS.has(`tag:yaml.org,2002:${tag.slice(2)}`)
    return problem('definition.yaml-syntax', offset,
      json ? `The value after ${tag} is not of that type.` : `The tag ${tag} is not accepted: only text, numbers, true and false, null, lists and mappings are.`,
      'Remove the tag, and quote the value if it must stay text, e.g. "2026-01-01".')
  }), ...nuls.map((offset) => problem('definition.encoding', offset, 'This text holds the character U+0000 (written as an escape), which no text of a process may hold.',
    'Remove the escape (\\0, \\x00 or \\u0000).'))]
}

/** A {@link Source} whose locations come from `doc` (or are 1:1 without one), following aliases and merge keys. */
function located(
  file: string, text: string, doc: Document | undefined, problems: readonly DefinitionError[],
  at: (offset: number, pointer?: string) => SourceLocation, targets: ReadonlyMap<Alias, Node>, value?: unknown,
): Source {
  const resolve = (node: Node | null): Node | null => isAlias(node) ? targets.get(node) ?? node : node
  /** The offset where the node at `pointer` is written, and the node when the whole pointer leads to one. */
  const find = (pointer: string, wantKey: boolean): { offset: number; node: Node | null } => {
    const path = parsePointer(pointer)
    let node: Node | null = asNode(doc?.contents)
    let offset = node?.range?.[0] ?? 0
    // A missing property has no node, so the nearest ancestor that has one stands in for it.
    for (let depth = 0; depth < path.length && node; depth++) {
      const segment = path[depth] as string
      node = resolve(node)
      if (isMap(node)) {
        const pair = pairOf(node, segment, resolve)
        if (!pair) return { offset, node: null }
        const keyNode = asNode(pair.key)
        node = asNode(pair.value)
        const target = wantKey && depth === path.length - 1 ? keyNode : node ?? keyNode
        offset = target?.range?.[0] ?? offset
      } else if (isSeq(node)) {
        node = asNode(node.items[Number(segment)])
        offset = node?.range?.[0] ?? offset
      } else {
        return { offset, node: null }
      }
    }
    return { offset, node: resolve(node) }
  }
  const nodeAt = (pointer: string, wantKey: boolean): SourceLocation => at(find(pointer, wantKey).offset, pointer)
  const within = (pointer: string, index: number | undefined): SourceLocation => {
    const { offset, node } = find(pointer, false)
    const inner = index !== undefined && isScalar(node) ? offsetWithin(node, text, index) : undefined
    return at(inner ?? offset, pointer)
  }
  return {
    file,
    text,
    value,
    problems,
    locate: (pointer) => nodeAt(pointer, false),
    error: (code, pointer, message, hint) => new DefinitionError(code, message, nodeAt(pointer, false), hint),
    errorWithin: (code, pointer, index, message, hint) => new DefinitionError(code, message, within(pointer, index), hint),
    errorAtKey: (code, pointer, message, hint) => new DefinitionError(code, message, nodeAt(pointer, true), hint),
  }
}

/**
 * Where the character `index` of a text scalar's value is written in `text`, when the scalar is
 * written as it reads: plain or quoted with nothing escaped or folded, or a literal block (`|`),
 * whose lines are the value's lines indented; undefined otherwise (an escape, a folded line).
 */
function offsetWithin(node: Scalar, text: string, index: number): number | undefined {
  const { value, range } = node
  if (typeof value !== 'string' || !range || index < 0 || index > value.length) return undefined
  const written = text.slice(range[0], range[1])
  if (node.type === 'PLAIN') return written === value ? range[0] + index : undefined
  if (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') return written.slice(1, -1) === value ? range[0] + 1 + index : undefined
  if (node.type !== 'BLOCK_LITERAL') return undefined
  // The header (`|`, `|-`, a comment), then the value's lines, each after the block's indentation.
  const lines = value.split('\n')
  const rows = written.split('\n')
  let line = 0
  let column = index
  while (line < lines.length - 1 && column > (lines[line] as string).length) column -= (lines[line++] as string).length + 1
  const row = rows[line + 1]
  const wanted = lines[line] as string
  if (row === undefined || !row.endsWith(wanted) || row.slice(0, row.length - wanted.length).trim() !== '') return undefined
  const rowStart = range[0] + rows.slice(0, line + 1).reduce((sum, r) => sum + r.length + 1, 0)
  return rowStart + row.length - wanted.length + column
}

/**
 * The pair of `map` whose key is `key`: one written in the mapping itself, else one it takes from
 * a merge key (`<<: *a` or `<<: [*a, *b]`, the first source that has it), as yaml merges them.
 */
function pairOf(map: YAMLMap, key: string, resolve: (node: Node | null) => Node | null): Pair | undefined {
  const { own, merges } = indexOf(map)
  const found = own.get(key)
  if (found) return found
  for (const merge of merges) {
    const value = resolve(asNode(merge.value))
    const sources = isSeq(value) ? value.items.map((source) => resolve(asNode(source))) : [value]
    for (const source of sources) {
      const inherited = isMap(source) ? pairOf(source, key, resolve) : undefined
      if (inherited) return inherited
    }
  }
  return undefined
}

/** A mapping's pairs by key (the first of a key), and its merge keys, read once: a definition's thousands of lookups each take one step, not one per pair. */
const indexes = new WeakMap<YAMLMap, { readonly own: ReadonlyMap<string, Pair>; readonly merges: readonly Pair[] }>()

function indexOf(map: YAMLMap): { readonly own: ReadonlyMap<string, Pair>; readonly merges: readonly Pair[] } {
  let index = indexes.get(map)
  if (!index) {
    const own = new Map<string, Pair>()
    const merges: Pair[] = []
    for (const item of map.items) {
      if (isMergeKey(item.key)) merges.push(item)
      else if (isScalar(item.key) && !own.has(String(item.key.value))) own.set(String(item.key.value), item)
    }
    index = { own, merges }
    indexes.set(map, index)
  }
  return index
}

function asNode(value: unknown): Node | null {
  return isNode(value) ? value : null
}

/** Reports every repeated key of every mapping; keys of a step's `actions` are action ids. */
function duplicateKeys(doc: Document, at: (offset: number, pointer: string) => SourceLocation): DefinitionError[] {
  const found: DefinitionError[] = []
  const walk = (node: unknown, path: readonly string[]): void => {
    if (isMap(node)) {
      const seen = new Map<string, number>()
      for (const pair of node.items) {
        if (!isPair(pair) || !isScalar(pair.key)) continue
        // As the value reads it: a null key (`~`) is "" there, the same key as `""`.
        const key = isMergeKey(pair.key) ? '<<' : keyOf(pair.key.value)
        const pointer = pointerOf(...path, key)
        const first = seen.get(key)
        if (found.length >= MAX_PROBLEMS) return
        if (first !== undefined && pair.key.range) {
          const isAction = path.length === 3 && path[0] === 'steps' && path[2] === 'actions'
          found.push(new DefinitionError(
            isAction ? 'definition.duplicate-action' : 'definition.duplicate-key',
            isAction ? `Action "${key}" is defined twice in this step (first on line ${first}).`
              : `Key "${key}" appears twice in the same mapping (first on line ${first}).`,
            at(pair.key.range[0], pointer),
            key === '<<' ? 'Merge several mappings with one merge key: `<<: [*first, *second]`.' : 'Each key may appear once; remove or rename one of them.'))
        } else if (pair.key.range) {
          seen.set(key, at(pair.key.range[0], pointer).line)
        }
        walk(pair.value, [...path, key])
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => walk(item, [...path, String(index)]))
    }
  }
  walk(doc.contents, [])
  return found
}
