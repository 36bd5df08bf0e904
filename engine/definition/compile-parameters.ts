import { Temporal } from 'temporal-polyfill'
import { REQUEST_CARRIES } from './limits.js'
import type { CompiledCalendar, CompiledParameter, Delay } from './compiled.js'
import type { CompileContext } from './context.js'
import type { DelayDefinition, ParameterDefinition, ParameterType } from './definition.js'
import { pointerOf } from './pointer.js'
import { authoredDuration, looksLikeDuration, parseDuration } from './quantities.js'
import { closestName, listNames, suggest } from './suggest.js'

/** The accepted forms of a duration, with examples: every duration problem's hint starts with it. */
const DURATION_FORMS = 'Write an ISO 8601 duration: P, then a number and a unit in capitals, such as P14D (14 days), P1M (1 month), P2W (2 weeks) or PT12H (12 hours; time units after T)'

/** Checks each parameter's default against its type. */
export function compileParameters(
  ctx: CompileContext, parameters: Readonly<Record<string, ParameterDefinition>>,
): Map<string, CompiledParameter> {
  const compiled = new Map<string, CompiledParameter>()
  for (const [name, parameter] of Object.entries(parameters)) {
    if (parameter.type === undefined) {
      ctx.reportAtKey('definition.parameter-type', pointerOf('parameters', name), `Parameter "${name}" has no type.`, 'Give it `type: duration`, `string`, `integer`, `boolean` or `date-time`.')
      continue
    }
    const pointer = pointerOf('parameters', name, 'default')
    if (parameter.default !== undefined) {
      const written = parameter.type === 'duration' && typeof parameter.default === 'string' ? authoredDuration(parameter.default) : undefined
      const problem = typeof written === 'string' ? `is invalid: ${written}` : checkParameterValue(parameter.type, parameter.default)
      if (problem) {
        ctx.report(parameter.type === 'duration' ? 'definition.duration' : 'definition.parameter-default', pointer,
          `The default of parameter "${name}" ${problem}`,
          parameter.type === 'duration' ? `${DURATION_FORMS}, or change the parameter's type.` : `Give a default of type ${parameter.type}, or change the parameter's type.`)
      }
    }
    compiled.set(name, {
      name, type: parameter.type, title: parameter.title, description: parameter.description, default: parameter.default,
    })
  }
  const needed = [...compiled.values()].filter((parameter) => parameter.default === undefined)
  if (needed.length > REQUEST_CARRIES.parameters) {
    ctx.report('definition.schema', '/parameters', `${needed.length} parameters have no default, so every start must give them all, and a start gives at most ${REQUEST_CARRIES.parameters}: no delivery could start.`,
      `Give defaults to at least ${needed.length - REQUEST_CARRIES.parameters} of them, or keep fewer parameters.`)
  }
  return compiled
}

/** Explains why `value` is not a valid value of a parameter of `type`, or returns undefined. */
export function checkParameterValue(type: ParameterType, value: unknown): string | undefined {
  switch (type) {
    case 'duration': {
      if (typeof value !== 'string') return 'must be an ISO 8601 duration such as "P30D".'
      const parsed = parseDuration(value)
      return typeof parsed === 'string' ? `is invalid: ${parsed}` : undefined
    }
    case 'string':
      return typeof value === 'string' ? undefined : 'must be a string.'
    case 'integer':
      if (!Number.isInteger(value)) return 'must be an integer.'
      return Number.isSafeInteger(value) ? undefined : `is too large to be kept exactly: an integer is at most ${Number.MAX_SAFE_INTEGER.toLocaleString('en')} (2^53 - 1).`
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'must be true or false.'
    case 'date-time':
      return typeof value === 'string' && isInstant(value) ? undefined : 'must be an RFC 3339 instant such as "2026-01-01T00:00:00Z".'
  }
}

/** An RFC 3339 instant: a date and a time with its offset, nothing more (Temporal also reads a zone in brackets, or years past 9999). */
const RFC_3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/

function isInstant(text: string): boolean {
  if (!RFC_3339.test(text)) return false
  try {
    Temporal.Instant.from(text)
    return true
  } catch {
    return false
  }
}

/** What an `after` may refer to: the process's parameters and calendars. */
export interface DelayScope {
  readonly parameters: ReadonlyMap<string, CompiledParameter>
  readonly calendars: ReadonlyMap<string, CompiledCalendar>
  /** The process's time zone, in which durations of days are counted. */
  readonly timeZone: string
}

/** Resolves an `after` value: an ISO 8601 duration, the name of a `duration` parameter, or business days. */
export function resolveDelay(ctx: CompileContext, after: DelayDefinition, pointer: string, scope: DelayScope): Delay | undefined {
  const { parameters, calendars } = scope
  if (typeof after !== 'string') {
    const calendar = calendars.get(after.calendar)
    if (!calendar) {
      ctx.report('definition.unknown-calendar', `${pointer}/calendar`, `There is no calendar "${after.calendar}".`,
        `${suggest(after.calendar, [...calendars.keys()], 'calendars')} Declare it under \`calendars\`.`)
      return undefined
    }
    return { kind: 'business-days', days: after.businessDays, calendar }
  }
  if (looksLikeDuration(after)) {
    const duration = parseDuration(after)
    if (typeof duration === 'string') {
      ctx.report('definition.duration', pointer, duration, `${DURATION_FORMS}, or name a duration parameter.`)
      return undefined
    }
    return { kind: 'duration', duration }
  }
  const parameter = parameters.get(after)
  if (!parameter) {
    ctx.report('definition.unknown-parameter', pointer, `"${after}" is neither an ISO 8601 duration nor a parameter of this process.`, delayHint(after, parameters))
    return undefined
  }
  if (parameter.type !== 'duration') {
    ctx.report('definition.parameter-type', pointer, `Parameter "${after}" is of type ${parameter.type}; a deadline needs a duration parameter.`,
      `Declare "${after}" with \`type: duration\`, or write the delay as an ISO 8601 duration.`)
    return undefined
  }
  return { kind: 'parameter', name: after }
}

/** What an `after` that is neither a duration nor a parameter was probably meant to be, with the accepted forms. */
function delayHint(after: string, parameters: ReadonlyMap<string, CompiledParameter>): string {
  const upper = after.toUpperCase()
  if (looksLikeDuration(upper) && typeof parseDuration(upper) !== 'string') return `Did you mean "${upper}"? Durations are written in capitals.`
  const meant = closestName(after, [...parameters.keys()])
  if (meant !== undefined) return `Did you mean the parameter "${meant}"?`
  const durations = [...parameters.values()].filter((p) => p.type === 'duration').map((p) => p.name)
  return `${DURATION_FORMS}${durations.length > 0 ? `, or name a duration parameter (${listNames(durations)})` : ''}.`
}
