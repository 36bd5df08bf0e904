import { Temporal } from 'temporal-polyfill'
import { LOCALE_TAGS } from './i18n.js'
import type { Locale } from './i18n.js'

/** Formatters by locale and zone: making one costs more than formatting a page's dates with it. */
const formatters = new Map<string, Intl.DateTimeFormat>()

/** An instant as a person reads it in `zone` (day, month, year, hour and minute). */
export function formatInstant(instant: string, zone: string, locale: Locale): string {
  const key = `${locale} ${zone}`
  let format = formatters.get(key)
  if (!format) formatters.set(key, format = new Intl.DateTimeFormat(LOCALE_TAGS[locale], { timeZone: zone, dateStyle: 'medium', timeStyle: 'short' }))
  return format.format(new Date(Temporal.Instant.from(instant).epochMilliseconds))
}

/**
 * An instant in a `<time>` element: written in `zone` (the process's), then shown by the
 * console's script in the viewer's own zone. With `countdown`, the script also counts down to it.
 */
export function Time({ at, zone, locale, countdown = false }: { at: string; zone: string; locale: Locale; countdown?: boolean }) {
  return <time datetime={at} data-countdown={countdown ? '' : undefined}>{formatInstant(at, zone, locale)}</time>
}

/** A message with `{at}` in it, the instant put in its place as a {@link Time}. */
export function WithTime({ text, at, zone, locale, countdown = false }: { text: string; at: string; zone: string; locale: Locale; countdown?: boolean }) {
  const [before, after = ''] = text.split('{at}')
  return <>{before}<Time at={at} zone={zone} locale={locale} countdown={countdown} />{after}</>
}
