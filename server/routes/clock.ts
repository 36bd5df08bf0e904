import { Hono } from 'hono'
import { Temporal } from 'temporal-polyfill'
import type { Engine, ManualClock } from '../../engine/index.js'
import { EngineError } from '../../engine/index.js'
import { requireRole } from '../auth.js'
import { readBody } from '../body.js'
import type { AppEnv } from '../env.js'

/**
 * `/v1/clock` and `/v1/advance`. In sandbox mode the clock is manual and `advance` may move it
 * forward (`to` an instant or `by` a duration) before firing what is due; otherwise it is the
 * real clock and only fires what is due now.
 */
export function clockRoutes(engine: Engine, sandbox: ManualClock | undefined): Hono<AppEnv> {
  const app = new Hono<AppEnv>()

  app.get('/clock', (c) => c.json({ kind: sandbox ? 'sandbox' : 'real', now: engine.clock.now().toString() }))

  app.post('/advance', requireRole('admin', 'system'), async (c) => {
    const { to, by } = await readBody<{ to?: string; by?: string }>(c, 'AdvanceRequest')
    if (to !== undefined || by !== undefined) {
      if (!sandbox) throw new EngineError('clock.not-sandbox', 'The clock is the real one; `to` and `by` are accepted only by a server started with --sandbox.')
      const target = to !== undefined ? Temporal.Instant.from(to) : sandbox.now().toZonedDateTimeISO('UTC').add(parseDuration(by as string)).toInstant()
      if (Temporal.Instant.compare(target, sandbox.now()) < 0) {
        throw new EngineError('clock.backwards', `The clock is at ${sandbox.now().toString()}; it never moves backwards (to ${target.toString()}).`, { fields: [{ pointer: '/to', rule: 'minimum', message: `must not be before ${sandbox.now().toString()}` }] })
      }
      sandbox.set(target)
    }
    const report = await engine.advance()
    return c.json({ ...report, now: engine.clock.now().toString() })
  })

  return app
}

function parseDuration(text: string): Temporal.Duration {
  try {
    const duration = Temporal.Duration.from(text)
    if (duration.sign < 0) throw new RangeError('negative')
    return duration
  } catch {
    throw new EngineError('request.invalid', `"${text}" is not a positive ISO 8601 duration such as P14D or PT1H.`, { fields: [{ pointer: '/by', rule: 'format', message: 'must be an ISO 8601 duration such as P14D' }] })
  }
}
