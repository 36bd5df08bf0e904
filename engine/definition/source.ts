import { isMap, isNode, isPair, isScalar, isSeq, LineCounter, parseDocument } from 'yaml'
import type { Document, Node, Pair } from 'yaml'
import type { DefinitionCode, SourceLocation } from '../errors.js'
import { DefinitionError } from '../errors.js'
import { parsePointer, pointerOf } from './pointer.js'

/**
 * A parsed YAML source that remembers where every node came from. This file and nothing else
 * touches the `yaml` package's v2 Document API, so a change of that API stays in one place.
 */
export interface Source {
  readonly file: string
  readonly text: string
  /** The plain JavaScript value of the document (`undefined` for an empty file). */
  readonly value: unknown
  /** Problems found while parsing: syntax errors and duplicate keys. */
  readonly problems: readonly DefinitionError[]
  /** Location of the node at a JSON Pointer, or of its nearest existing ancestor. */
  locate(pointer: string): SourceLocation
  /** Builds a located {@link DefinitionError} at the node at `pointer`. */
  error(code: DefinitionCode, pointer: string, message: string, hint?: string): DefinitionError
  /** Builds a located {@link DefinitionError} at the key of the property at `pointer` (unknown or misnamed properties). */
  errorAtKey(code: DefinitionCode, pointer: string, message: string, hint?: string): DefinitionError
}

/** Parses YAML text, collecting every syntax error and duplicate key with its line and column. */
export function readSource(text: string, file: string): Source {
  const lines = new LineCounter()
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: false, prettyErrors: false })
  const at = (offset: number, pointer: string): SourceLocation => {
    const { line, col } = lines.linePos(offset)
    return { file, line, column: col, pointer }
  }
  const nodeAt = (pointer: string, wantKey: boolean): SourceLocation => {
    const path = parsePointer(pointer)
    let node: Node | null = asNode(doc.contents)
    let offset = node?.range?.[0] ?? 0
    // A missing property has no node, so the nearest ancestor that has one stands in for it.
    for (let depth = 0; depth < path.length && node; depth++) {
      const segment = path[depth] as string
      if (isMap(node)) {
        const pair: Pair | undefined = node.items.find((item) => isScalar(item.key) && String(item.key.value) === segment)
        if (!pair) break
        const keyNode = asNode(pair.key)
        node = asNode(pair.value)
        const target = wantKey && depth === path.length - 1 ? keyNode : node ?? keyNode
        offset = target?.range?.[0] ?? offset
      } else if (isSeq(node)) {
        node = asNode(node.items[Number(segment)])
        offset = node?.range?.[0] ?? offset
      } else {
        break
      }
    }
    return at(offset, pointer)
  }
  const problems = [
    ...doc.errors.map((e) => new DefinitionError('definition.yaml-syntax', e.message.trim(), at(e.pos[0], ''),
      'Fix the YAML syntax first: indentation, quoting and brackets.')),
    ...duplicateKeys(doc, at),
  ]
  const value = doc.errors.length === 0 ? doc.toJS({ maxAliasCount: 100 }) : undefined
  return {
    file,
    text,
    value,
    problems,
    locate: (pointer) => nodeAt(pointer, false),
    error: (code, pointer, message, hint) => new DefinitionError(code, message, nodeAt(pointer, false), hint),
    errorAtKey: (code, pointer, message, hint) => new DefinitionError(code, message, nodeAt(pointer, true), hint),
  }
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
        const key = String(pair.key.value)
        const pointer = pointerOf(...path, key)
        const first = seen.get(key)
        if (first !== undefined && pair.key.range) {
          const isAction = path.length === 3 && path[0] === 'steps' && path[2] === 'actions'
          found.push(new DefinitionError(
            isAction ? 'definition.duplicate-action' : 'definition.duplicate-key',
            isAction ? `Action "${key}" is defined twice in this step (first on line ${first}).`
              : `Key "${key}" appears twice in the same mapping (first on line ${first}).`,
            at(pair.key.range[0], pointer),
            'Each key may appear once; remove or rename one of them.'))
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
