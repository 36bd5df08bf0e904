import { isAlias, isMap, isScalar, isSeq, visit } from 'yaml'
import type { Alias, Document, Node, Pair } from 'yaml'
import type { DefinitionCode } from '../errors.js'
import { closestName, listNames } from './suggest.js'

/**
 * Anchors, aliases and merge keys of a parsed document (part of `source.ts`, the only reader of
 * the `yaml` package), checked before the document is turned into data: yaml itself would throw
 * on an alias without an anchor, expand aliases of aliases without a useful bound, and follow an
 * alias that repeats its own ancestor for ever; and it resolves each alias by scanning the anchors
 * before it, which a file of many aliases makes quadratic (`source-value.ts` does without).
 */

/** A problem found among the anchors and aliases, at a text offset. */
export interface AliasProblem {
  readonly code: DefinitionCode
  readonly offset: number
  readonly message: string
  readonly hint?: string
}

/** What {@link checkAliases} found. */
export interface AliasCheck {
  readonly problems: readonly AliasProblem[]
  /** The node each alias stands for, so locations can follow aliases and merge keys. */
  readonly targets: ReadonlyMap<Alias, Node>
}

interface Size {
  /** Nodes in the value once aliases are expanded. */
  readonly nodes: number
  /** Characters of its scalars (keys included) once aliases are expanded. */
  readonly chars: number
  /** Levels of collections in it, itself included. */
  readonly depth: number
}

/**
 * Resolves every alias to the latest anchor of its name before it, as YAML does, and reports:
 * an alias with no such anchor (`definition.unknown-alias`, with the anchors that exist), an alias
 * inside the node it repeats, and aliases that together add more than `max.nodes` nodes or
 * `max.characters` characters of text (`definition.alias-limit`), an alias whose expansion nests deeper than `maxDepth`
 * (`definition.too-deep`), and a merge key (`<<`) whose value is not a mapping or a list of them.
 * Runs in time linear in the document.
 */
export function checkAliases(doc: Document, max: { readonly nodes: number; readonly characters: number }, maxDepth: number): AliasCheck {
  const problems: AliasProblem[] = []
  const targets = new Map<Alias, Node>()
  const latest = new Map<string, Node>()
  const open = new Set<Node>()
  const sizes = new Map<Node, Size>()
  let added = 0
  let addedChars = 0
  let limitReported = false
  let depthReported = false

  const walk = (node: unknown, enclosing: number): Size => {
    if (isAlias(node)) return aliasSize(node, enclosing)
    if (!isScalar(node) && !isMap(node) && !isSeq(node)) return { nodes: 0, chars: 0, depth: 0 }
    if (node.anchor) {
      latest.set(node.anchor, node)
      open.add(node)
    }
    let size: Size = { nodes: 1, chars: isScalar(node) ? String(node.value).length : 0, depth: 0 }
    if (isMap(node) || isSeq(node)) {
      let nodes = 1
      let chars = 0
      let depth = 0
      for (const item of node.items as unknown[]) {
        const parts = isPairLike(item) ? [item.key, item.value] : [item]
        for (const part of parts) {
          const child = walk(part, enclosing + 1)
          nodes += child.nodes
          chars += child.chars
          depth = Math.max(depth, child.depth)
        }
        if (isMap(node) && isPairLike(item) && isMergeKey(item.key)) checkMerge(item.value)
      }
      size = { nodes, chars, depth: depth + 1 }
    }
    if (node.anchor) {
      open.delete(node)
      sizes.set(node, size)
    }
    return size
  }

  const aliasSize = (alias: Alias, enclosing: number): Size => {
    const offset = alias.range?.[0] ?? 0
    const target = latest.get(alias.source)
    if (!target) {
      problems.push({ code: 'definition.unknown-alias', offset, message: `The alias *${alias.source} names no anchor &${alias.source} before it.`, hint: unknownAliasHint(alias.source, offset, latest, doc) })
      return { nodes: 1, chars: 0, depth: 0 }
    }
    targets.set(alias, target)
    const size = sizes.get(target)
    if (open.has(target) || !size) {
      problems.push({ code: 'definition.alias-limit', offset, message: `The alias *${alias.source} is inside the node &${alias.source} it repeats, so its value would never end.`, hint: 'Move the alias out of the anchored node.' })
      return { nodes: 1, chars: 0, depth: 0 }
    }
    added += size.nodes
    addedChars += size.chars
    if (added > max.nodes && !limitReported) {
      limitReported = true
      problems.push({ code: 'definition.alias-limit', offset,
        message: `The aliases up to here expand to more than ${max.nodes.toLocaleString('en')} values (mappings, lists and scalars); aliases of aliases that multiply a value are refused.`,
        hint: 'Use aliases to repeat a small part (a schema, a set of attachment rules), not to build large values.' })
    }
    if (addedChars > max.characters && !limitReported) {
      limitReported = true
      problems.push({ code: 'definition.alias-limit', offset,
        message: `The aliases up to here expand to more than ${max.characters.toLocaleString('en')} characters of text; repeating a long text by aliases is refused.`,
        hint: 'Use aliases to repeat a small part (a schema, a set of attachment rules), not to build large values.' })
    }
    if (enclosing + size.depth > maxDepth && !depthReported) {
      depthReported = true
      problems.push({ code: 'definition.too-deep', offset,
        message: `Expanding the alias *${alias.source} here nests the definition more than ${maxDepth} levels deep.`,
        hint: 'Flatten the structure; a process definition needs far fewer levels.' })
    }
    return size
  }

  const checkMerge = (value: unknown): void => {
    const sources = isSeq(value) ? value.items as unknown[] : [value]
    for (const source of sources) {
      const resolved = isAlias(source) ? targets.get(source) : source
      if (isAlias(source) && resolved === undefined) continue // already reported as an unknown alias
      if (!isMap(resolved)) {
        const at = (isAlias(source) || isScalar(source) || isMap(source) || isSeq(source)) ? source.range?.[0] ?? 0 : 0
        problems.push({ code: 'definition.yaml-syntax', offset: at, message: 'A merge key (<<) takes a mapping, an alias of one, or a list of them.',
          hint: 'Write `<<: *defaults` or `<<: [*defaults, *more]`, where each anchor names a mapping.' })
      }
    }
  }

  walk(doc.contents, 0)
  return { problems, targets }
}

/**
 * Whether a mapping key is a merge key: a plain `<<`, which yaml (merge keys enabled) reads as the
 * symbol `<<`. A quoted `"<<"` is an ordinary key.
 */
export function isMergeKey(key: unknown): boolean {
  return isScalar(key) && typeof key.value === 'symbol' && key.value.description === '<<'
}

function isPairLike(item: unknown): item is Pair {
  return typeof item === 'object' && item !== null && 'key' in item && 'value' in item
}

/** Each document's anchors, found once however many aliases name none. */
const anchorsByDoc = new WeakMap<Document, Map<string, number>>()

function anchorsOf(doc: Document): Map<string, number> {
  const found = anchorsByDoc.get(doc)
  if (found) return found
  const offsets = new Map<string, number>()
  anchorsByDoc.set(doc, offsets)
  visit(doc, {
    Node: (_key, node) => {
      if (!isAlias(node) && node.anchor && !offsets.has(node.anchor)) offsets.set(node.anchor, node.range?.[0] ?? 0)
    },
  })
  return offsets
}

function unknownAliasHint(name: string, offset: number, before: ReadonlyMap<string, Node>, doc: Document): string {
  const later = anchorsOf(doc).get(name)
  if (later !== undefined && later > offset) return `The anchor &${name} comes later in the file; an anchor must come before its aliases.`
  const names = [...before.keys()]
  if (names.length === 0) return `No anchor is defined before it: write &${name} before the value to repeat, then *${name} where it repeats.`
  const meant = closestName(name, names)
  return `${meant === undefined ? '' : `Did you mean *${meant}? `}Anchors defined before it: ${listNames(names.map((n) => `&${n}`))}.`
}
