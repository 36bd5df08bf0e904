import { EngineError } from '../engine/index.js'
import type { Store } from '../engine/index.js'

/** How long the database may take to answer a readiness check. */
export const READINESS_TIMEOUT_MS = 5000

/**
 * Whether the server can serve: its database answers within {@link READINESS_TIMEOUT_MS} and has
 * run every migration this code has.
 * @throws {EngineError} `server.not-ready` (503) saying which is not the case; the database's
 * own error is logged by `onError`'s caller, not told to this anonymous route's callers.
 */
export async function checkReadiness(store: Store): Promise<{ readonly status: 'ready' }> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<'late'>((resolve) => { timer = setTimeout(() => resolve('late'), READINESS_TIMEOUT_MS) })
  let pending: string[] | 'late'
  try {
    pending = await Promise.race([store.pendingMigrations(), late])
  } catch (error) {
    throw new EngineError('server.not-ready', 'The database cannot be reached.', { cause: error })
  } finally {
    clearTimeout(timer)
  }
  if (pending === 'late') throw new EngineError('server.not-ready', `The database did not answer within ${READINESS_TIMEOUT_MS / 1000} s.`)
  if (pending.length > 0) {
    throw new EngineError('server.not-ready', `The database schema is not current: ${pending.length} migration${pending.length === 1 ? '' : 's'} not run (${pending.join(', ')}); restart the server or run \`delivery-center migrate\`.`)
  }
  return { status: 'ready' }
}
