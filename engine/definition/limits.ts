/**
 * The bounds on what reading a process definition may cost. Each is checked before the work it
 * bounds (the size before parsing, the nesting before composing, the aliases before expanding
 * them), so a hostile or mistaken file is refused with a located problem instead of exhausting
 * memory or the stack. Documented in docs/api.md ("Limits").
 */

/**
 * Largest process definition, in bytes (1 MiB), as `validate`, `register` and
 * `PUT /v1/processes/{id}` all read it: a larger file is refused (`definition.too-large`) before
 * it is parsed. The largest built-in process is under 20 KB.
 */
export const MAX_DEFINITION_BYTES = 1024 * 1024

/**
 * Most YAML tokens (scalars, punctuation, indentation, line breaks) in a definition, counted as it
 * is parsed (`definition.too-large`). Ordinary YAML holds about one per 4 bytes (the built-in
 * processes have about 1,500), but 1 MiB of `[1,1,1,...]` holds 1.5 million, which would take
 * seconds and a gigabyte of memory to parse.
 */
export const MAX_YAML_TOKENS = 200_000

/** Most problems listed for one definition; the first ones by position are kept. */
export const MAX_PROBLEMS = 100

/**
 * Deepest nesting of mappings and lists, aliases expanded (`definition.too-deep`). A built-in
 * process nests at most 10 levels (an input schema's object inside an object).
 */
export const MAX_NESTING_DEPTH = 64

/**
 * Most nodes that aliases may add to a definition when expanded (`definition.alias-limit`), so a
 * small file of aliases of aliases ("billion laughs") cannot expand to an enormous value.
 */
export const MAX_ALIAS_NODES = 10_000

/**
 * Most characters of text (scalars, keys included) that aliases may add to a definition when
 * expanded (`definition.alias-limit`): as many as a definition may hold, so an alias repeating one
 * long text cannot make a checked process, its diagram or its pages thousands of times larger.
 */
export const MAX_ALIAS_CHARACTERS = MAX_DEFINITION_BYTES

/**
 * Most Unicode property escapes (`\p{L}`, `\P{Script=Han}`...) in all the patterns of a
 * definition (`definition.too-large`), and so in any one pattern (`definition.input-schema`). Each
 * becomes a class of thousands of ranges before the pattern can run in linear time: 500 of them
 * took 1.5 s to compile. The built-in processes use none.
 */
export const MAX_PROPERTY_ESCAPES = 64

/**
 * The largest count a regular expression may give a repeat (`{1,1000}`, `{5}`), in a pattern or an
 * expression. A counted repeat keeps a match off V8's linear-time engine (which runs counts up to
 * 16 or so), and searching a text costs about its length times the count: `[a-z]{1,100000}[0-9]`
 * took 5 s on 40,000 letters, `a{99999}b` 4 s. A length is bounded with `maxLength` instead.
 */
export const MAX_REPEAT_COUNT = 1000

/**
 * What one request may carry, which a definition must leave room for (the `StartRequest` and
 * `ActRequest` shapes of schemas/api.schema.json say the same, tested): the parties a start names
 * (every role of the process), the parameters it gives (those without a default), and the files
 * an act attaches, in slots and in all.
 */
export const REQUEST_CARRIES = { parties: 32, parameters: 64, attachmentSlots: 20, attachmentIds: 100 } as const
