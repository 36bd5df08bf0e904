import { Temporal } from 'temporal-polyfill'
import type { CompiledProcess } from '../definition/compiled.js'
import { ExpressionFailure } from '../definition/expression.js'
import type { CompiledExpression } from '../definition/expression.js'
import type { InstanceState } from './state.js'
import { iso } from './time.js'
import { expressionInput } from './transitions.js'

/**
 * Why an instance does not entitle its customer at an instant:
 * - `not-declared`: its process declares no `validity`, so it entitles no period;
 * - `pending`: it is still in progress and its period is not known yet (e.g. not yet accepted);
 * - `no-period`: it ended without a period (e.g. a renewal that was not supervised);
 * - `not-started`: the period starts later;
 * - `expired`: the period has ended;
 * - `terminated`: an administrator terminated the delivery.
 */
export type ValidityReason = 'not-declared' | 'pending' | 'no-period' | 'not-started' | 'expired' | 'terminated'

/** Whether an instance entitles its customer at `at`, and the period it entitles (CheckOutLicense). */
export interface ValidityView {
  readonly instance: string
  readonly process: { readonly id: string; readonly version: number }
  readonly status: InstanceState['status']
  readonly outcome: string | undefined
  /** The instant asked about. */
  readonly at: string
  /** The process's time zone, in which the period was counted and the local times below are written. */
  readonly timeZone: string
  readonly valid: boolean
  /** Absent when valid. */
  readonly reason: ValidityReason | undefined
  /** The answer in words. */
  readonly detail: string
  /** The period's first instant (included), once known. */
  readonly from: string | undefined
  /** The instant the period ends (excluded); absent for a period without end. */
  readonly until: string | undefined
  /** `from` and `until` as local times in `timeZone`, with their offset (`2026-04-01T00:00:00+08:00`). */
  readonly fromLocal: string | undefined
  readonly untilLocal: string | undefined
  /** While valid and the period ends: the time left, as an ISO 8601 duration in calendar days of `timeZone` and hours (`P30DT4H`), and in whole seconds. */
  readonly remaining: string | undefined
  readonly remainingSeconds: number | undefined
}

/**
 * Whether `state` entitles its customer at `at`: the period of the process's `validity`, its
 * expressions evaluated over the instance with `$now()` as `at`. The period includes `from` and
 * excludes `until`. A terminated instance entitles nothing, whatever was recorded. Pure.
 * @throws {ExpressionFailure} when a bound fails or gives something that is not an instant.
 */
export async function validityAt(process: CompiledProcess, state: InstanceState, at: Temporal.Instant): Promise<ValidityView> {
  const when = iso(at)
  const base = {
    instance: state.id, process: { id: process.id, version: process.version }, status: state.status, outcome: state.outcome,
    at: when, timeZone: process.timeZone, remaining: undefined, remainingSeconds: undefined,
  }
  const none = { from: undefined, until: undefined, fromLocal: undefined, untilLocal: undefined }
  if (!process.validity) {
    return { ...base, ...none, valid: false, reason: 'not-declared', detail: `Process "${process.id}" declares no validity period: its deliveries entitle none.` }
  }
  const input = expressionInput(state)
  const from = await instantOf(process.validity.from, input, when)
  const until = from === undefined || process.validity.until === undefined ? undefined : await instantOf(process.validity.until, input, when)
  const local = (instant: Temporal.Instant | undefined): string | undefined =>
    instant?.toZonedDateTimeISO(process.timeZone).toString({ timeZoneName: 'never', fractionalSecondDigits: 'auto' })
  const period = { from: from && iso(from), until: until && iso(until), fromLocal: local(from), untilLocal: local(until) }
  if (state.status === 'terminated') {
    return { ...base, ...period, valid: false, reason: 'terminated', detail: `The delivery was terminated${state.endedAt ? ` at ${state.endedAt}` : ''}: it entitles nothing.` }
  }
  if (from === undefined) {
    return state.status === 'completed'
      ? { ...base, ...period, valid: false, reason: 'no-period', detail: `The delivery ended (${state.outcome ?? 'completed'}) without a validity period.` }
      : { ...base, ...period, valid: false, reason: 'pending', detail: `The validity period is not known yet: the delivery is in progress${state.step ? `, at step "${process.steps.get(state.step)?.title ?? state.step}"` : ''}.` }
  }
  if (Temporal.Instant.compare(at, from) < 0) {
    return { ...base, ...period, valid: false, reason: 'not-started', detail: `The validity period starts at ${period.from}.` }
  }
  if (until !== undefined && Temporal.Instant.compare(at, until) >= 0) {
    return { ...base, ...period, valid: false, reason: 'expired', detail: `The validity period ended at ${period.until}.` }
  }
  const left = until && until.toZonedDateTimeISO(process.timeZone).since(at.toZonedDateTimeISO(process.timeZone), { largestUnit: 'day', smallestUnit: 'second', roundingMode: 'trunc' })
  return {
    ...base, ...period, valid: true, reason: undefined,
    detail: until ? `Valid from ${period.from} until ${period.until}.` : `Valid from ${period.from}, without end.`,
    remaining: left?.toString(),
    remainingSeconds: until && Math.floor((until.epochMilliseconds - at.epochMilliseconds) / 1000),
  }
}

/** The instant a bound gives, or undefined when it gives nothing. */
async function instantOf(expression: CompiledExpression, input: Record<string, unknown>, at: string): Promise<Temporal.Instant | undefined> {
  const value = await expression.evaluate(input, at)
  if (value === undefined || value === null) return undefined
  if (typeof value === 'string') {
    try {
      return Temporal.Instant.from(value)
    } catch {
      // Reported below, as for any other value that is not an instant.
    }
  }
  throw new ExpressionFailure(expression.place, `it gave ${JSON.stringify(value).slice(0, 100)}, not an RFC 3339 instant`)
}
