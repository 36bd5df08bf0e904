import { isAlias, isMap, isPair, isScalar, isSeq } from 'yaml'
import type { Alias, Node } from 'yaml'
import { isMergeKey } from './source-aliases.js'

/**
 * Turns a checked document into plain data (part of `source.ts`, the only reader of the `yaml`
 * package), as yaml's `toJS` does for the core schema with merge keys, but in time linear in the
 * document: each alias is replaced by its anchored node's value through `targets`, resolved once by
 * `checkAliases`, where yaml would search the anchors before every alias again. An alias shares
 * its anchor's value, as in yaml. Keys become strings; a merge key (`<<`) adds the keys of its
 * mappings that the mapping does not set itself, the first mapping listed winning.
 *
 * Requires a document without alias problems (every alias resolved, none inside its own anchor).
 */
export function toValue(root: unknown, targets: ReadonlyMap<Alias, Node>): unknown {
  const values = new Map<Node, unknown>()
  const convert = (node: unknown): unknown => {
    if (isAlias(node)) {
      const target = targets.get(node)
      return target === undefined ? null : values.get(target)
    }
    let value: unknown = null
    if (isScalar(node)) {
      value = node.value
    } else if (isSeq(node)) {
      value = node.items.map(convert)
    } else if (isMap(node)) {
      const object: Record<string, unknown> = {}
      for (const pair of node.items) {
        if (!isPair(pair)) continue
        if (isMergeKey(pair.key)) {
          const sources = isSeq(pair.value) ? pair.value.items : [pair.value]
          for (const source of sources) {
            const merged = convert(source)
            if (typeof merged !== 'object' || merged === null) continue
            for (const [key, entry] of Object.entries(merged)) if (!Object.hasOwn(object, key)) define(object, key, entry)
          }
        } else {
          define(object, keyOf(convert(pair.key)), convert(pair.value))
        }
      }
      value = object
    }
    if ((isScalar(node) || isSeq(node) || isMap(node)) && node.anchor) values.set(node, value)
    return value
  }
  return convert(root)
}

/** As yaml: a null key is "", another scalar its string; a mapping or list as a key, its JSON. */
export function keyOf(key: unknown): string {
  if (key === null || key === undefined) return ''
  return typeof key === 'object' ? JSON.stringify(key) : String(key)
}

// A key such as `__proto__` must become a property of its own, not the object's prototype.
function define(object: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true })
}
