import { builtInRoles, InvalidDefinitionError, ProcessCatalog, realClock, suggest } from '../engine/index.js'
import type { Store } from '../engine/index.js'

/** The roles that exist whatever processes are registered. */
const BUILT_IN_ROLES = ['admin', 'system'] as const

/**
 * The roles a token may carry in this database: `admin`, `system`, and every party role declared
 * by a built-in process or by any registered version of a process (derived ones included).
 */
export async function acceptedRoles(store: Store): Promise<string[]> {
  const roles = new Set<string>()
  for (const role of builtInRoles()) roles.add(role)
  const catalog = new ProcessCatalog(store.processes, realClock)
  for (const { id, version } of await store.processes.list()) {
    try {
      for (const role of (await catalog.get(id, version)).roles) roles.add(role)
    } catch (error) {
      // A stored version that no longer compiles (its base gone, say) declares no usable role.
      if (!(error instanceof InvalidDefinitionError)) throw error
    }
  }
  return [...BUILT_IN_ROLES, ...[...roles].filter((role) => !(BUILT_IN_ROLES as readonly string[]).includes(role)).sort()]
}

/**
 * Refuses a role no token could use in the database: it names the accepted roles, with
 * "Did you mean" for a near miss.
 * @throws {RangeError} for a role that is not in `accepted`.
 */
export function checkRole(role: string, accepted: readonly string[], database: string): void {
  if (accepted.includes(role)) return
  const near = suggest(role, accepted, 'roles')
  throw new RangeError(`Role "${role}" is not accepted in ${database}.${near.startsWith('Did you mean') ? ` ${near}` : ''} Accepted roles: ${accepted.join(', ')} (admin, system, and the party roles of the built-in processes and of the processes registered there).`)
}
