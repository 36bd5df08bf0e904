import type { SchemaFault } from './schema-faults.js'
import type { RegExpLike } from 'ajv/dist/types/index.js'
import { fullFormats } from 'ajv-formats/dist/formats.js'
import { patternRegExp } from './pattern-regexp.js'
import { typeWords } from './type-words.js'
import { escapeSegment } from './pointer.js'

// What no value can satisfy in one schema of an author's: a `const` or `enum` against the
// schema's `type` and bounds, bounds with nothing between them, keywords of another type.

/** The keywords that check values of some types only, with those types (a keyword does nothing to a value of another). */
const APPLIES_TO: Readonly<Record<string, readonly string[]>> = {
  format: ['string'], pattern: ['string'], minLength: ['string'], maxLength: ['string'], maxWords: ['string'], minWords: ['string'], patternErrorMessage: ['string'],
  minimum: ['number'], maximum: ['number'], exclusiveMinimum: ['number'], exclusiveMaximum: ['number'], multipleOf: ['number'],
  items: ['array'], prefixItems: ['array'], minItems: ['array'], maxItems: ['array'], uniqueItems: ['array'], contains: ['array'],
  properties: ['object'], required: ['object'], additionalProperties: ['object'], patternProperties: ['object'], minProperties: ['object'], maxProperties: ['object'],
}

/** Formats ajv-formats checks on numbers. */
const NUMBER_FORMATS = ['int32', 'int64', 'float', 'double']

/** The JSON types a schema's `type` names (`integer` is a number too), or undefined when it names none. */
function typesOf(node: Readonly<Record<string, unknown>>): ReadonlySet<string> | undefined {
  const type = node['type']
  const names = typeof type === 'string' ? [type] : Array.isArray(type) ? type.filter((t): t is string => typeof t === 'string') : undefined
  return names === undefined ? undefined : new Set(names)
}

/** The JSON type of a value, as `type` names it. */
function typeOfValue(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number'
  return typeof value
}

/** Whether a value of JSON type `type` is of one of `types`. */
function fitsTypes(type: string, types: ReadonlySet<string>): boolean {
  return types.has(type) || (type === 'integer' && types.has('number'))
}

/**
 * Constraints no value meets, beside bounds above their limits: a `const` or every `enum` value
 * of another type than `type` asks, or outside the schema's own bounds or `pattern`; a `const`
 * its `enum` does not list; `allOf` branches (with the schema's own `type`) that share no
 * type; an integer between bounds with no whole number between them (`minimum: 1.2` and
 * `maximum: 1.8`); a whole-number `multipleOf` with no multiple between whole-number bounds; a
 * `minItems` beyond the items `items: false` or a `false` in `prefixItems` allows; a schema
 * `oneOf` repeats (no value it accepts can pass); and a `required` property whose schema is `false`.
 */
export function unsatisfiableFaults(node: Readonly<Record<string, unknown>>, pointer: string): SchemaFault[] {
  const faults: SchemaFault[] = []
  const none = 'no value can satisfy both.'
  const types = typesOf(node)
  if (types && 'const' in node && !fitsTypes(typeOfValue(node['const']), types)) {
    faults.push({ pointer: `${pointer}/const`, atKey: false, message: `\`const\` is ${JSON.stringify(node['const'])}, a value of type ${typeOfValue(node['const'])}, where \`type\` asks for ${[...types].join(' or ')}: ${none}`, hint: 'Make `const` a value of that type (quote "yes" for a text, write true for a boolean), or change `type`.' })
  }
  const listed = node['enum']
  if (types && Array.isArray(listed) && listed.length > 0 && !listed.some((value) => fitsTypes(typeOfValue(value), types))) {
    faults.push({ pointer: `${pointer}/enum`, atKey: false, message: `No value \`enum\` lists is of the type \`type\` asks for (${[...types].join(' or ')}): ${none}`, hint: 'List values of that type (1, not "1", for a number), or change `type`.' })
  }
  const single = node['const']
  if ('const' in node && (typeof single !== 'object' || single === null) && Array.isArray(listed) && listed.length > 0 && !listed.includes(single)) {
    faults.push({ pointer: `${pointer}/const`, atKey: false, message: `\`const\` is ${JSON.stringify(single)}, which \`enum\` does not list: ${none}`, hint: 'Remove one of them: `const` alone accepts its value, `enum` alone any it lists.' })
  }
  // `if` of a schema every value meets, with `then: false` (or of one none meets, with `else: false`).
  const always = node['if'] === true || (isObject(node['if']) && Object.keys(node['if']).length === 0)
  const branch = always && node['then'] === false ? 'then' : node['if'] === false && node['else'] === false ? 'else' : undefined
  if (branch) {
    faults.push({ pointer: `${pointer}/${branch}`, atKey: false, message: `\`if\` is ${branch === 'then' ? 'met by every value' : 'met by none'}, and \`${branch}\` is \`false\`: no value can satisfy it.`, hint: 'Give `if` the values the rule is for, or remove `if` and its branches.' })
  }
  for (const keyword of ['anyOf', 'oneOf']) {
    const branches = node[keyword]
    if (Array.isArray(branches) && branches.length > 0 && branches.every((branch) => branch === false)) {
      faults.push({ pointer: `${pointer}/${keyword}`, atKey: false, message: `Every schema \`${keyword}\` lists is \`false\`, which no value meets: no value can satisfy it.`, hint: `Give \`${keyword}\` the schemas of the values to accept, or remove it.` })
    }
  }
  const repeated = oneOfRepeat(node['oneOf'])
  if (repeated) {
    faults.push({ pointer: `${pointer}/oneOf/${repeated.at}`, atKey: false, message: `\`oneOf\` ${repeated.at} is the same schema as \`oneOf\` ${repeated.first}: a value either accepts matches both, and \`oneOf\` refuses a value more than one of its schemas accept.`, hint: 'Remove the repeated schema.' })
  }
  const prefixItems = Array.isArray(node['prefixItems']) ? node['prefixItems'] : []
  const closedAt = prefixItems.indexOf(false)
  const most = closedAt >= 0 ? closedAt : node['items'] === false ? prefixItems.length : Infinity
  if (typeof node['minItems'] === 'number' && node['minItems'] > most) {
    faults.push({ pointer: `${pointer}/minItems`, atKey: false, message: `\`minItems\` is ${node['minItems']}, and ${closedAt >= 0 ? `item ${closedAt} of \`prefixItems\` is \`false\`` : '`items` is `false`'}, so a list holds ${most} at most: no list can satisfy both.`, hint: 'Lower `minItems`, or give the items a schema.' })
  }
  const branches = Array.isArray(node['allOf']) ? node['allOf'].filter(isObject).map(typesOf) : []
  const shared = [types, ...branches].filter((t): t is ReadonlySet<string> => t !== undefined)
  if (shared.length > 1) {
    const common = [...(shared[0] as ReadonlySet<string>)].filter((type) => shared.every((set) => fitsTypes(type, set) || (type === 'number' && set.has('integer'))))
    if (common.length === 0) {
      faults.push({ pointer: `${pointer}/allOf`, atKey: false, message: `The schemas \`allOf\` joins${types ? ' with this one\'s `type`' : ''} ask for types no value has at once (${shared.map((set) => [...set].join(' or ')).join('; ')}).`, hint: 'Give them one type, or use `anyOf` for a value that may be either.' })
    }
  }
  // A number between whole bounds that must be a whole multiple: exact in floating point.
  const [m, lo, hi] = [node['multipleOf'], node['minimum'], node['maximum']]
  if (types?.size === 1 && types.has('number') && [m, lo, hi].every(Number.isSafeInteger) && (m as number) > 0 && Math.ceil((lo as number) / (m as number)) * (m as number) > (hi as number) && (lo as number) <= (hi as number)) {
    faults.push({ pointer: `${pointer}/multipleOf`, atKey: false, message: `No multiple of ${m as number} lies between ${lo as number} and ${hi as number}: ${none.replace('both', 'them all')}`, hint: 'Widen the bounds, or change `multipleOf`.' })
  }
  if (types?.size === 1 && types.has('integer')) {
    const bound = (key: string): number | undefined => (typeof node[key] === 'number' ? node[key] : undefined)
    const lows = [bound('minimum') === undefined ? -Infinity : Math.ceil(bound('minimum') as number), bound('exclusiveMinimum') === undefined ? -Infinity : Math.floor(bound('exclusiveMinimum') as number) + 1]
    const highs = [bound('maximum') === undefined ? Infinity : Math.floor(bound('maximum') as number), bound('exclusiveMaximum') === undefined ? Infinity : Math.ceil(bound('exclusiveMaximum') as number) - 1]
    const [low, high] = [Math.max(...lows), Math.min(...highs)]
    const multiple = bound('multipleOf')
    const at = ['minimum', 'exclusiveMinimum', 'maximum', 'exclusiveMaximum'].find((key) => key in node)
    // Bounds with no number at all between them are reported as such (numberRangeFault).
    if (low > high && at !== undefined && !numberRangeFault(node, pointer)) {
      faults.push({ pointer: `${pointer}/${at}`, atKey: false, message: `No whole number lies within this integer's bounds: ${none.replace('both', 'them all')}`, hint: 'Widen the bounds to take in a whole number, or use `type: number`.' })
    } else if (multiple !== undefined && Number.isInteger(multiple) && multiple > 0 && Number.isFinite(low) && Number.isFinite(high) && Math.ceil(low / multiple) * multiple > high) {
      faults.push({ pointer: `${pointer}/multipleOf`, atKey: false, message: `No multiple of ${multiple} lies between ${low} and ${high}: ${none.replace('both', 'them all')}`, hint: 'Widen the bounds, or change `multipleOf`.' })
    }
  }
  if (types?.size === 1) {
    const [type] = types as ReadonlySet<string> as Set<string>
    for (const [keyword, appliesTo] of Object.entries(APPLIES_TO)) {
      if (!(keyword in node) || fitsTypes(type as string, new Set(appliesTo)) || (keyword === 'format' && NUMBER_FORMATS.includes(String(node['format'])))) continue
      faults.push({ pointer: `${pointer}/${keyword}`, atKey: true, message: `\`${keyword}\` checks ${appliesTo.map((t) => typeWords(t, 'plural')).join(' and ')} only, and this field takes ${typeWords(type as string, 'plural')}: it would check nothing.`,
        hint: `Remove \`${keyword}\`, or change \`type\`.` })
    }
    if ('default' in node && !fitsTypes(typeOfValue(node['default']), types)) {
      faults.push({ pointer: `${pointer}/default`, atKey: false, message: `The \`default\` ${JSON.stringify(node['default'])?.slice(0, 60)} does not fit \`type\`, which takes ${typeWords(type as string, 'plural')}.`, hint: 'Give a default of that type, or none.' })
    }
  }
  // A value listed by `const` or `enum` that breaks the node's own bounds is not one it takes.
  const values = 'const' in node ? [node['const']] : Array.isArray(listed) ? listed : undefined
  const pattern = typeof node['pattern'] === 'string' ? patternOf(node['pattern']) : undefined
  if (values !== undefined && values.length > 0 && !values.some((value) => withinBounds(value, node, pattern))) {
    const keyword = 'const' in node ? 'const' : 'enum'
    faults.push({ pointer: `${pointer}/${keyword}`, atKey: false, message: `${keyword === 'const' ? 'The value `const` gives does not meet' : 'No value `enum` lists meets'} this schema's own bounds (a length, a range, a number of items, \`pattern\`, \`format\`, or the properties an object must or may have): no value can satisfy them all.`, hint: `Change the ${keyword === 'const' ? 'value' : 'values'}, or the bounds.` })
  }
  if ((isObject(node['not']) && Object.keys(node['not']).length === 0) || node['not'] === true) {
    faults.push({ pointer: `${pointer}/not`, atKey: false, message: '`not` of a schema every value meets refuses every value, as `false` would.', hint: 'Remove `not`, or give it the values to refuse.' })
  }
  const required = Array.isArray(node['required']) ? new Set(node['required']).size : 0
  if (typeof node['maxProperties'] === 'number' && required > node['maxProperties']) {
    faults.push({ pointer: `${pointer}/maxProperties`, atKey: false, message: `\`required\` names ${required} properties, and \`maxProperties\` allows ${node['maxProperties']}: no object can satisfy both.`, hint: 'Raise `maxProperties`, or require fewer.' })
  }
  const properties = node['properties']
  const declared = isObject(properties) ? Object.keys(properties).length : 0
  if (node['additionalProperties'] === false && !('patternProperties' in node) && typeof node['minProperties'] === 'number' && node['minProperties'] > declared) {
    faults.push({ pointer: `${pointer}/minProperties`, atKey: false, message: `\`minProperties\` asks for ${node['minProperties']} properties of an object that takes only the ${declared} it declares: no object can satisfy both.`, hint: 'Lower `minProperties`, or declare more properties.' })
  }
  if (Array.isArray(node['required']) && isObject(properties)) {
    node['required'].forEach((name: unknown, i) => {
      if (typeof name === 'string' && Object.hasOwn(properties, name) && properties[name] === false) {
        faults.push({ pointer: `${pointer}/required/${i}`, atKey: false, message: `"${name}" is required, and its schema is \`false\`, which no value meets: no input could ever be accepted.`, hint: `Remove "${name}" from \`required\`, or give it a schema.` })
      }
    })
  }
  faults.push(...listFaults(node, pointer), ...nameFaults(node, pointer))
  const negated = node['not']
  const negatedTypes = isObject(negated) && Object.keys(negated).length === 1 ? typesOf(negated) : undefined
  if (types && negatedTypes && [...types].every((type) => fitsTypes(type, negatedTypes))) {
    faults.push({ pointer: `${pointer}/not`, atKey: false, message: `\`not\` refuses every ${[...negatedTypes].join(' or ')}, and \`type\` takes only ${[...types].join(' or ')}: ${none}`, hint: 'Remove `not`, or give it the values of that type to refuse (an `enum`, a `pattern`).' })
  }
  return faults
}

/**
 * The least length of a text of each format whose texts have one, and the most: `date`
 * 2026-01-15; `date-time` 2026-01-15T09:00:00Z and longer; `time` 09:00:00Z and longer; `email`
 * a@b.c and longer; `uuid` with or without `urn:uuid:`; `ipv4` 1.1.1.1 to 255.255.255.255.
 */
const FORMAT_LENGTHS: Readonly<Record<string, readonly [number, number]>> = {
  date: [10, 10], 'date-time': [20, Infinity], time: [9, Infinity], email: [5, Infinity], uuid: [36, 45], ipv4: [7, 15],
}

/** Whether `text` is of `format`, as ajv-formats (in its full mode, as the schemas are compiled) reads it; true for a format it does not define. */
function ofFormat(text: string, format: string): boolean {
  const defined = (fullFormats as Readonly<Record<string, unknown>>)[format]
  const check = typeof defined === 'object' && defined !== null && !(defined instanceof RegExp) ? (defined as { validate?: unknown }).validate : defined
  return check instanceof RegExp ? check.test(text) : typeof check === 'function' ? (check as (text: string) => boolean)(text) : true
}

/**
 * A list's `contains` no list within `maxItems` can hold (`minContains`, 1 unless said, above
 * `maxItems`), and a text's length bounds a `format` never fits (`format: date`, ten characters,
 * with `maxLength: 5`).
 */
function listFaults(node: Readonly<Record<string, unknown>>, pointer: string): SchemaFault[] {
  const faults: SchemaFault[] = []
  const least = typeof node['minContains'] === 'number' ? node['minContains'] : 1
  if (node['contains'] === false && least > 0) {
    faults.push({ pointer: `${pointer}/contains`, atKey: false, message: '`contains` is `false`, which no item meets, and a list must hold at least one item it accepts: no list can satisfy it.', hint: 'Give `contains` the schema of an item the list must hold, or remove it.' })
  } else if ('contains' in node && typeof node['maxItems'] === 'number' && node['maxItems'] < least) {
    faults.push({ pointer: `${pointer}/contains`, atKey: false, message: `\`contains\` asks for ${least === 1 ? 'an item' : `${least} items`} of a list \`maxItems\` allows ${node['maxItems']} at most: no list can satisfy both.`, hint: 'Raise `maxItems`, or remove `contains`.' })
  }
  const distinct = node['uniqueItems'] === true && isObject(node['items']) ? distinctValues(node['items']) : undefined
  if (distinct !== undefined && typeof node['minItems'] === 'number' && node['minItems'] > distinct) {
    faults.push({ pointer: `${pointer}/minItems`, atKey: false, message: `\`minItems\` is ${node['minItems']}, and the items must differ (\`uniqueItems\`) where \`items\` takes ${distinct} value${distinct === 1 ? '' : 's'} at most: no list can satisfy both.`, hint: 'Lower `minItems`, or let the items take more values.' })
  }
  const lengths = typeof node['format'] === 'string' ? FORMAT_LENGTHS[node['format']] : undefined
  if (lengths) {
    const [shortest, longest] = lengths
    const [low, high] = [typeof node['minLength'] === 'number' ? node['minLength'] : 0, typeof node['maxLength'] === 'number' ? node['maxLength'] : Infinity]
    if (high < shortest || low > longest) {
      const format = String(node['format'])
      const length = shortest === longest ? `${shortest} characters` : longest === Infinity ? `at least ${shortest} characters` : `${shortest} to ${longest} characters`
      faults.push({ pointer: `${pointer}/${high < shortest ? 'maxLength' : 'minLength'}`, atKey: false, message: `A text of \`format: ${format}\` is ${length} long, and \`${high < shortest ? `maxLength\` is ${high}` : `minLength\` is ${low}`}: no text can satisfy both.`, hint: `Remove the length bound (the format sets it), or change \`format\`.` })
    }
  }
  return faults
}

/** How many values a schema of items takes at most, where few: those of its `enum`, its `const`, true and false, null. */
function distinctValues(items: Readonly<Record<string, unknown>>): number | undefined {
  if ('const' in items) return 1
  if (Array.isArray(items['enum'])) return new Set(items['enum'].map((value) => JSON.stringify(value))).size
  const types = typesOf(items)
  if (types === undefined || [...types].some((type) => type !== 'boolean' && type !== 'null')) return undefined
  return (types.has('boolean') ? 2 : 0) + (types.has('null') ? 1 : 0)
}

/**
 * Property names an object must have that it cannot: a `required` name `propertyNames` refuses,
 * and a name `dependentRequired` asks for beside one that is required, where its schema is
 * `false` or the object takes no property it does not declare.
 */
function nameFaults(node: Readonly<Record<string, unknown>>, pointer: string): SchemaFault[] {
  const faults: SchemaFault[] = []
  const required = Array.isArray(node['required']) ? node['required'].filter((name): name is string => typeof name === 'string') : []
  const names = node['propertyNames']
  if (isObject(names)) {
    const pattern = typeof names['pattern'] === 'string' ? patternOf(names['pattern']) : undefined
    const listed = 'const' in names ? [names['const']] : Array.isArray(names['enum']) ? names['enum'] : undefined
    const refused = required.find((name) => !withinBounds(name, names, pattern) || (listed !== undefined && !listed.includes(name)))
    if (refused !== undefined) {
      faults.push({ pointer: `${pointer}/required/${required.indexOf(refused)}`, atKey: false, message: `"${refused}" is required, and \`propertyNames\` refuses that name: no object can satisfy both.`, hint: 'Make `propertyNames` accept it, or require another name.' })
    }
  }
  const dependent = node['dependentRequired']
  const properties = isObject(node['properties']) ? node['properties'] : {}
  const closed = node['additionalProperties'] === false && !('patternProperties' in node)
  if (isObject(dependent)) {
    for (const present of required) {
      const asked = dependent[present]
      if (!Array.isArray(asked)) continue
      asked.forEach((name: unknown, i) => {
        if (typeof name !== 'string' || (Object.hasOwn(properties, name) ? properties[name] !== false : !closed)) return
        faults.push({ pointer: `${pointer}/dependentRequired/${escapeSegment(present)}/${i}`, atKey: false, message: `"${present}" is required, and with it \`dependentRequired\` asks for "${name}", which this object never takes (${Object.hasOwn(properties, name) ? 'its schema is `false`' : 'not declared, and no other property is accepted'}): no input could ever be accepted.`, hint: `Declare "${name}" under \`properties\`, or remove it from \`dependentRequired\`.` })
      })
    }
  }
  return faults
}

/** Whether `value` keeps the bounds `node` sets on values of its type: lengths, ranges, item counts, its `pattern` (compiled as ajv does), `format: text`. */
function withinBounds(value: unknown, node: Readonly<Record<string, unknown>>, pattern: RegExpLike | undefined): boolean {
  const bound = (key: string): number | undefined => (typeof node[key] === 'number' ? node[key] : undefined)
  const within = (n: number, low: string, high: string): boolean => (bound(low) === undefined || n >= (bound(low) as number)) && (bound(high) === undefined || n <= (bound(high) as number))
  if (typeof value === 'string') {
    if (node['format'] === 'text' && value.trim() === '') return false
    if (typeof node['format'] === 'string' && node['format'] !== 'text' && !ofFormat(value, node['format'])) return false
    if (pattern && !pattern.test(value)) return false
    return within([...value].length, 'minLength', 'maxLength')
  }
  if (typeof value === 'number') {
    return within(value, 'minimum', 'maximum') && (bound('exclusiveMinimum') === undefined || value > (bound('exclusiveMinimum') as number)) && (bound('exclusiveMaximum') === undefined || value < (bound('exclusiveMaximum') as number))
  }
  if (Array.isArray(value)) return within(value.length, 'minItems', 'maxItems')
  if (isObject(value)) {
    // A mapping: the properties it must have, and none a closed object does not declare.
    const declared = isObject(node['properties']) ? node['properties'] : {}
    const closed = node['additionalProperties'] === false && !('patternProperties' in node)
    const required = Array.isArray(node['required']) ? node['required'] : []
    return required.every((name) => typeof name !== 'string' || Object.hasOwn(value, name)) && (!closed || Object.keys(value).every((name) => Object.hasOwn(declared, name)))
      && within(Object.keys(value).length, 'minProperties', 'maxProperties')
  }
  return true
}

/** The first schema of `oneOf` written as an earlier one is (keys in any order), and that one's place. */
function oneOfRepeat(schemas: unknown): { first: number; at: number } | undefined {
  if (!Array.isArray(schemas)) return undefined
  const seen = new Map<string, number>()
  for (const [at, schema] of schemas.entries()) {
    // A schema that accepts nothing matches no value: repeating it refuses nothing more.
    if (schema === false) continue
    const text = canonicalJson(schema)
    const first = seen.get(text)
    if (first !== undefined) return { first, at }
    seen.set(text, at)
  }
  return undefined
}

/** `value` as JSON with the keys of every object sorted: the same text for the same value. */
function canonicalJson(value: unknown): string {
  // YAML's .inf and .nan, which JSON would write as null.
  if (typeof value === 'number' && !Number.isFinite(value)) return `#${value}`
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (isObject(value)) return `{${Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(',')}}`
  return JSON.stringify(value) ?? 'null'
}

/**
 * `pattern` compiled as ajv compiles it, once for all the values a schema lists; undefined for a
 * pattern that cannot run (refused at its place: patternFault).
 */
function patternOf(pattern: string): RegExpLike | undefined {
  try {
    return patternRegExp(pattern, 'u')
  } catch {
    return undefined
  }
}

/**
 * Numeric bounds that no number meets: the highest lower bound (`minimum`, or `exclusiveMinimum`
 * above it) over the lowest upper one, or both at one number with either exclusive.
 */
export function numberRangeFault(node: Readonly<Record<string, unknown>>, pointer: string): SchemaFault | undefined {
  const bound = (key: string): number | undefined => (typeof node[key] === 'number' ? node[key] : undefined)
  const lows = [['minimum', bound('minimum')], ['exclusiveMinimum', bound('exclusiveMinimum')]] as const
  const highs = [['maximum', bound('maximum')], ['exclusiveMaximum', bound('exclusiveMaximum')]] as const
  for (const [low, min] of lows) {
    for (const [high, max] of highs) {
      if (min === undefined || max === undefined) continue
      const exclusive = low.startsWith('exclusive') || high.startsWith('exclusive')
      if (min > max || (min === max && exclusive)) {
        return { pointer: `${pointer}/${low}`, atKey: false, message: `\`${low}\` ${min} and \`${high}\` ${max} leave no number between them: no number can satisfy both.`, hint: `Lower \`${low}\` or raise \`${high}\`.` }
      }
    }
  }
  return undefined
}

export function isObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
