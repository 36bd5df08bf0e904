import { Temporal } from 'temporal-polyfill'
import { FORMAT_RULES } from './definition/json-schema.js'
import { EngineError } from './errors.js'
import { comparesAsText, iso } from './runtime/time.js'

// The values of Engine.list's filters that are more than plain text, and the rules the API's
// rejections state for them.

// Who checks what: over HTTP, the `InstanceListQuery` shape of schemas/api.schema.json checks
// every filter (`request.invalid` at `/query/NAME`) before the engine sees it. The engine still
// refuses what is wrong, for its other callers (the console passes cursors from its own links),
// with the same code, `request.invalid`, at `/NAME`: a list's filters are a request, not inputs
// of a process, so one rule is never told with two codes. It never silently corrects a value.

/** Page sizes of a list: `default` when none is asked for, at most `max`. The API's schema states the same. */
export const LIST_LIMITS = { default: 50, max: 500 } as const

/** What a page size must be, as rejections say it. */
export const LIMIT_RULE = `must be an integer from 1 to ${LIST_LIMITS.max}`

/** `limit`, or the default page size when undefined. @throws {EngineError} `request.invalid` at `/limit` when it is not from 1 to {@link LIST_LIMITS.max}. */
export function pageSize(limit: number | undefined): number {
  if (limit === undefined) return LIST_LIMITS.default
  if (!Number.isInteger(limit) || limit < 1 || limit > LIST_LIMITS.max) throw new EngineError('request.invalid', `There is no page of ${limit} instances.`, { fields: [{ pointer: '/limit', rule: 'maximum', message: LIMIT_RULE }] })
  return limit
}

/** The orders a list comes in: by creation, oldest first (the default) or newest first; ties by id. */
export const LIST_ORDERS = ['oldest', 'newest'] as const
export type ListOrder = (typeof LIST_ORDERS)[number]

/** Whether `value` is one of {@link LIST_ORDERS}. */
export function isListOrder(value: string): value is ListOrder {
  return (LIST_ORDERS as readonly string[]).includes(value)
}

/** What `startedFrom` and `startedTo` must be, as rejections say it. */
export const INSTANT_RULE = `${FORMAT_RULES['date-time'] as string}, in years 0000 to 9999 once in UTC`

const RFC_3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/

/**
 * An RFC 3339 instant (`2026-01-15T17:00:00+08:00`) in the stored form of instants (UTC,
 * milliseconds; see `iso`), so that it compares with creation instants as text; undefined when
 * `text` is not one, or when in UTC it falls outside years 0 to 9999, which do not compare as
 * text (`9999-12-31T23:59:59-01:00`). A finer fraction of a second is rounded up to the next
 * millisecond: as no stored instant lies between, `>= from` and `< to` then select exactly what
 * they would with the given precision.
 */
export function listInstant(text: string): string | undefined {
  if (!RFC_3339.test(text)) return undefined
  let instant: Temporal.Instant
  try {
    instant = Temporal.Instant.from(text)
  } catch {
    // Out of range, such as 2026-02-30 or 25:00.
    return undefined
  }
  const ns = instant.epochNanoseconds
  const ms = ns / 1_000_000n
  const rounded = Temporal.Instant.fromEpochMilliseconds(Number(ns > ms * 1_000_000n ? ms + 1n : ms))
  return comparesAsText(rounded) ? iso(rounded) : undefined
}

/**
 * `listInstant(text)` for the filter `name` (`startedFrom` or `startedTo`); undefined when no
 * text is given. @throws {EngineError} `request.invalid` at `/<name>` when `text` is not an instant.
 */
export function startedBound(name: 'startedFrom' | 'startedTo', text: string | undefined): string | undefined {
  if (text === undefined) return undefined
  const bound = listInstant(text)
  if (bound === undefined) throw new EngineError('request.invalid', `${name} "${text}" is not an RFC 3339 instant.`, { fields: [{ pointer: `/${name}`, rule: 'format', message: INSTANT_RULE }] })
  return bound
}
