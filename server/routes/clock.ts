import { Hono } from 'hono'
import { Temporal } from 'temporal-polyfill'
import type { Engine, ManualClock } from '../../engine/index.js'
import { EngineError, LATEST_INSTANT as LATEST } from '../../engine/index.js'
import { requirePermission } from '../auth.js'
import { readBody } from '../body.js'
import type { AppEnv } from '../env.js'
import type { Metrics } from '../metrics.js'

/**
 * `/v1/clock` and `/v1/advance`. In sandbox mode the clock is manual and `advance` may move it
 * forward (`to` an instant or `by` a duration) before firing what is due; otherwise it is the
 * real clock and only fires what is due now.
 */
export function clockRoutes(engine: Engine, sandbox: ManualClock | undefined, metrics?: Metrics): Hono<AppEnv> {
  const app = new Hono<AppEnv>()

  app.get('/clock', (c) => c.json({ kind: sandbox ? 'sandbox' : 'real', now: engine.clock.now().toString() }))

  app.post('/advance', requirePermission('fire-deadlines'), async (c) => {
    const { to, by } = readBody(c, 'AdvanceRequest')
    if (to !== undefined || by !== undefined) {
      if (!sandbox) throw new EngineError('clock.not-sandbox', 'The clock is the real one; `to` and `by` are accepted only by a server started with --sandbox.')
      moveClock(sandbox, to, by)
    }
    const report = await engine.deadlines.advance()
    metrics?.fired('request', report)
    return c.json({ ...report, now: engine.clock.now().toString() })
  })

  return app
}


/** Moves the sandbox clock to `to` or by `by`, refusing a move backwards or beyond what can be represented. */
function moveClock(clock: ManualClock, to: string | undefined, by: string | undefined): void {
  const from = clock.now().toString()
  let target: Temporal.Instant
  try {
    target = to !== undefined ? Temporal.Instant.from(to) : clock.now().toZonedDateTimeISO('UTC').add(Temporal.Duration.from(by as string)).toInstant()
  } catch {
    const pointer = to !== undefined ? '/to' : '/by'
    throw new EngineError('request.invalid', `${pointer.slice(1)} does not give an instant the clock can move to.`, { fields: [{ pointer, rule: 'format', message: to !== undefined ? 'must be an RFC 3339 instant' : 'must be a positive ISO 8601 duration such as P14D' }] })
  }
  // Instants are stored as RFC 3339 text, compared as text: past year 9999 they are written with a
  // sign (+010000-...) and would sort before every other, so every deadline would fall due at once.
  if (Temporal.Instant.compare(target, LATEST) > 0) {
    const pointer = to !== undefined ? '/to' : '/by'
    throw new EngineError('request.invalid', `The clock cannot move past ${LATEST.toString()} (to ${target.toString()}).`, { fields: [{ pointer, rule: 'maximum', message: `must not move the clock past ${LATEST.toString()}` }] })
  }
  if (Temporal.Instant.compare(target, clock.now()) < 0) {
    throw new EngineError('clock.backwards', `The clock is at ${from}; it never moves backwards (to ${target.toString()}).`, { fields: [{ pointer: to !== undefined ? '/to' : '/by', rule: 'minimum', message: `must not be before ${from}` }] })
  }
  clock.set(target)
}
