import { Readable } from 'node:stream'
import { randomUUID } from 'node:crypto'
import type { AttachmentStorage, CompiledProcess, Engine, JsonSchema, Principal } from '../engine/index.js'
import { EngineError, optional } from '../engine/index.js'
import { DEMO_FILES } from './demo-files.js'
import { humanize } from './forms/fields.js'

/** The people of the demo: every delivery is between them. */
export const DEMO_PEOPLE = {
  customer: { role: 'customer', subject: 'demo-customer' },
  isv: { role: 'isv', subject: 'demo-isv' },
  admin: { role: 'admin', subject: 'demo-admin' },
} as const satisfies Record<string, Principal>

/** What the demo seeded: how many deliveries of each process, and where each one stopped. */
export interface DemoSummary {
  readonly deliveries: number
  readonly processes: ReadonlyArray<{ readonly id: string; readonly phases: readonly string[] }>
}

/**
 * Seeds sample deliveries of every registered process at every phase: for a process of n steps,
 * deliveries that have gone 0, 1, ... n acts along it (each act the first action of its step,
 * with inputs made from its schema and sample files in its slots), so the console shows work
 * waiting on each party, finished deliveries and deadlines running. Nothing is written per process.
 */
export async function seedDemo(engine: Engine, storage: AttachmentStorage): Promise<DemoSummary> {
  const summary: Array<{ id: string; phases: string[] }> = []
  let deliveries = 0
  let order = 1001
  for (const { id, latestVersion } of await engine.processes.list(DEMO_PEOPLE.admin)) {
    const process = await engine.processes.get(id, latestVersion)
    const phases: string[] = []
    for (let acts = 0; acts <= process.steps.size; acts++) {
      const parties = partiesOf(process)
      const context = { ...sampleOf(process.context.schema, 'context') as Record<string, unknown>, orderId: `DEMO-${order++}` }
      let view = await engine.instances.start({ process: id, parties, parameters: parametersOf(process), context }, DEMO_PEOPLE.admin)
      deliveries++
      for (let done = 0; done < acts && view.status === 'active' && view.step; done++) {
        const next = await actOnce(engine, storage, process, view.id, view.step.id, parties, order)
        if (!next) break
        view = next
      }
      phases.push(view.step?.id ?? `end:${view.outcome ?? view.status}`)
    }
    // And one the administrator terminated after its first act: how a stopped delivery reads.
    if (summary.length === 0) {
      const parties = partiesOf(process)
      const view = await engine.instances.start({ process: id, parties, parameters: parametersOf(process), context: { ...sampleOf(process.context.schema, 'context') as Record<string, unknown>, orderId: `DEMO-${order++}` } }, DEMO_PEOPLE.admin)
      deliveries++
      if (view.step) await actOnce(engine, storage, process, view.id, view.step.id, parties, order)
      const terminated = await engine.instances.terminate(view.id, { reason: 'The customer cancelled the order.' }, DEMO_PEOPLE.admin)
      phases.push(`end:${terminated.status}`)
    }
    summary.push({ id, phases })
  }
  return { deliveries, processes: summary }
}

/** The demo's people in the roles of `process` (`demo-ROLE` for a role the demo has no person for). */
function partiesOf(process: CompiledProcess): Record<string, string> {
  return Object.fromEntries(process.roles.map((role) => [role, role in DEMO_PEOPLE ? DEMO_PEOPLE[role as keyof typeof DEMO_PEOPLE].subject : `demo-${role}`]))
}

/** Sample values of the parameters a process needs (those without a default). */
const PARAMETER_SAMPLES = { duration: 'P90D', string: 'demo', integer: 1, boolean: true, 'date-time': '2026-01-15T01:00:00Z' } as const

function parametersOf(process: CompiledProcess): Record<string, unknown> {
  return Object.fromEntries([...process.parameters.values()].filter((p) => p.default === undefined).map((p) => [p.name, PARAMETER_SAMPLES[p.type]]))
}

/** Performs the first action of `stepId` someone may take, as that party; undefined when no one can (or it is refused). */
async function actOnce(engine: Engine, storage: AttachmentStorage, process: CompiledProcess, instanceId: string, stepId: string, parties: Record<string, string>, serial: number) {
  const step = process.steps.get(stepId)
  for (const action of step?.actions.values() ?? []) {
    const role = action.actors.find((r) => r === 'admin' || parties[r] !== undefined)
    if (role === undefined) continue
    const by: Principal = role === 'admin' ? DEMO_PEOPLE.admin : { role, subject: parties[role] as string }
    try {
      const attachments: Record<string, string[]> = {}
      for (const rule of action.attachments.values()) {
        const kind = rule.types.includes('pdf') ? 'pdf' : rule.types.includes('png') ? 'png' : undefined
        if (kind === undefined && rule.min > 0) throw new EngineError('attachment.type', `The demo has no sample file of the types ${rule.types.join(', ')}.`)
        attachments[rule.slot] = kind === undefined ? [] : await Promise.all(Array.from({ length: rule.min }, () => upload(engine, storage, kind, by)))
      }
      return await engine.instances.act(instanceId, { action: action.id, step: stepId, inputs: sampleOf(action.inputs.schema, action.id, serial), attachments }, by)
    } catch (error) {
      if (!(error instanceof EngineError)) throw error
    }
  }
  return undefined
}

async function upload(engine: Engine, storage: AttachmentStorage, kind: keyof typeof DEMO_FILES, by: Principal): Promise<string> {
  const file = DEMO_FILES[kind]
  const stored = await storage.save(Readable.from([Buffer.from(file.base64, 'base64')]), 1024 * 1024)
  const id = randomUUID()
  await engine.attachments.record({ id, fileName: file.name, size: stored.size, sha256: stored.sha256, type: stored.type, mediaType: stored.mediaType, storageKey: stored.storageKey, ...optional('image', stored.image) }, by)
  return id
}

/** Sample text by what a field is for, tried before anything generic. */
const SAMPLES: ReadonlyArray<readonly [RegExp, string]> = [
  [/phone|mobile|tel/i, '+86 138 0000 0000'], [/e-?mail/i, 'demo@example.com'], [/contact.*\.name$/i, 'Li Lei'], [/url|link|site/i, 'https://example.com'],
]

/**
 * A value `schema` accepts, made from it: its default, first example or first choice, else a value
 * of its type within its bounds (required properties of objects only, the fewest items an array
 * allows). `serial` tells the deliveries' identifiers apart (`DEMO-7`), so values a process wants
 * unique to one delivery (a service ID) are.
 */
export function sampleOf(schema: JsonSchema | undefined, name: string, serial = 1): unknown {
  const s = (schema ?? {}) as Record<string, unknown>
  if (s['default'] !== undefined) return s['default']
  if (Array.isArray(s['examples']) && s['examples'].length > 0) return s['examples'][0]
  if ('const' in s) return s['const']
  if (Array.isArray(s['enum'])) return s['enum'][0]
  if (Array.isArray(s['oneOf'])) return sampleOf(s['oneOf'][0] as JsonSchema, name, serial)
  switch (s['type']) {
    case 'object': {
      const properties = (s['properties'] ?? {}) as Record<string, JsonSchema>
      const required = new Set((s['required'] ?? []) as string[])
      return Object.fromEntries(Object.entries(properties).filter(([key]) => required.has(key)).map(([key, value]) => [key, sampleOf(value, `${name}.${key}`, serial)]))
    }
    case 'array':
      return Array.from({ length: Number(s['minItems'] ?? 0) }, (_, i) => sampleOf(s['items'] as JsonSchema, `${name}-${i}`, serial))
    case 'boolean':
      return true
    case 'integer':
    case 'number':
      return Number(s['minimum'] ?? s['exclusiveMinimum'] ?? 0) + (s['exclusiveMinimum'] !== undefined ? 1 : 0) || 1
    case 'string':
      return sampleText(s, name, serial)
    default:
      return undefined
  }
}

function sampleText(s: Record<string, unknown>, name: string, serial: number): string {
  switch (s['format']) {
    case 'email': return 'demo@example.com'
    case 'date': return '2026-01-15'
    case 'date-time': return '2026-01-15T01:00:00Z'
    case 'uri': return 'https://example.com'
  }
  const words = humanize(name.slice(name.lastIndexOf('.') + 1)).toLowerCase()
  const candidates = [...SAMPLES.filter(([pattern]) => pattern.test(name)).map(([, text]) => text), `Sample ${words}`, `DEMO-${serial}`, 'demo', '1']
  const pattern = typeof s['pattern'] === 'string' ? new RegExp(s['pattern'], 'u') : undefined
  const fits = (text: string): boolean => (pattern === undefined || pattern.test(text)) && text.length >= Number(s['minLength'] ?? 0) && text.length <= Number(s['maxLength'] ?? Infinity)
  return candidates.find(fits) ?? candidates[0] as string
}
