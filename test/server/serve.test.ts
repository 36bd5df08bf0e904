import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { Store } from '../../engine/index.js'
import { freshDatabase, registeredDatabase } from '../support/database.js'
import type { TestDatabase } from '../support/database.js'
import { DEMAND } from '../support/engine.js'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { startArguments } from '../../bench/lib/start-command.js'
import { BUILT_IN_PROCESS_DIR } from '../../engine/index.js'
import { CLI, runCli } from '../support/cli.js'
import { startServer, startServerWith, tokensFor } from '../support/server-process.js'
import type { ServerProcess } from '../support/server-process.js'
import { wideDefinition } from '../support/wide-definition.js'

const running: ServerProcess[] = []
const databases: TestDatabase[] = []
afterEach(async () => {
  for (const server of running.splice(0)) {
    server.child.kill('SIGKILL')
    await server.exited
  }
  for (const database of databases.splice(0)) await database.drop()
})

/** A database for one test: as a server that ran on it left it, unless the test is of a first start. */
async function tempDb(made = registeredDatabase): Promise<TestDatabase> {
  const database = await made('dc-serve-')
  databases.push(database)
  return database
}

async function call(server: ServerProcess, token: string, method: string, path: string, json?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${server.url}${path}`, {
    method, headers: { Authorization: `Bearer ${token}`, ...(json === undefined ? {} : { 'Content-Type': 'application/json' }) },
    ...(json === undefined ? {} : { body: JSON.stringify(json) }),
  })
  const body = await response.json() as Record<string, unknown>
  expect(response.ok, JSON.stringify(body)).toBe(true)
  return body
}

describe('delivery-center serve', () => {
  it('as `npm start` runs it: compiled to JavaScript with the built-in processes, served without a TypeScript loader (here with --writer-thread)', { timeout: 120_000 }, async () => {
    const db = await tempDb(freshDatabase)
    // The build bin/build.js made once for the run (see test/support/built-cli.ts).
    const build = dirname(dirname(CLI))
    const command = startArguments(build)
    const cli = command.find((arg) => arg.endsWith('cli.js')) as string
    expect(cli.startsWith(build)).toBe(true)
    // With the SQLite writer thread, which then runs compiled too (writer-thread.js).
    const server = await startServerWith(command, db, '--writer-thread')
    running.push(server)
    const { stdout } = await promisify(execFile)(process.execPath, [cli, 'token', 'create', '--role', 'admin', '--subject', 'a-1', '--db', db.location])
    const admin = stdout.trim()
    const { items } = await call(server, admin, 'GET', '/v1/processes') as { items: Array<{ id: string }> }
    const builtIn = readdirSync(BUILT_IN_PROCESS_DIR).filter((file) => file.endsWith('.yaml')).map((file) => file.replace(/\.yaml$/, ''))
    expect(items.map((p) => p.id).sort()).toEqual(builtIn.sort())
    const started = await call(server, admin, 'POST', '/v1/instances', { process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-1', isv: 'v-1' } })
    expect(started).toMatchObject({ status: 'active', step: { id: 'submit-demand' } })
    const id = (started as { id: string }).id
    const terminated = await call(server, admin, 'POST', `/v1/instances/${id}/terminate`, { reason: 'order cancelled' })
    expect(terminated).toMatchObject({ status: 'terminated', revision: 2 })
    expect(await call(server, admin, 'GET', `/v1/instances/${id}`)).toMatchObject({ status: 'terminated', revision: 2 })
    // A definition that takes a second or more to check compiles on a thread (check-thread.js, beside the
    // bundle): the server answers other requests meanwhile.
    const checking = fetch(`${server.url}/v1/processes/validate`, {
      method: 'POST', headers: { Authorization: `Bearer ${admin}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ definition: wideDefinition(3_000) }),
    }).then(async (response) => ({ body: await response.json() as unknown, at: performance.now() }))
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200)
    const answeredMeanwhile = performance.now()
    const checked = await checking
    expect(checked.body).toMatchObject({ valid: true, process: { id: 'wide' } })
    expect(answeredMeanwhile).toBeLessThan(checked.at)
    // The command line is one bundled module, which finds the files it reads where their sources would:
    // the console's browser code (bundled as asked for), its styles, and the API reference's assets.
    expect(readFileSync(cli, 'utf8')).not.toMatch(/^import .* from '\.\.?\//m)
    for (const asset of ['/console/assets/console.js', '/console/assets/studio.js', '/console/assets/console.css', '/docs/assets/swagger-ui-bundle.js']) {
      const response = await fetch(`${server.url}${asset}`)
      expect(response.status, asset).toBe(200)
      expect((await response.text()).length, asset).toBeGreaterThan(1000)
    }
  })

  it('prints each token alone on stdout, so TOKEN=$(...) works', async () => {
    const db = await tempDb() // token create needs an existing database
    const { code, stdout } = await runCli(['token', 'create', '--role', 'customer', '--subject', 'c-1', '--db', db.location])
    expect(code).toBe(0)
    expect(stdout).toMatch(/^dc_[A-Za-z0-9_-]{43}\n$/)
  })

  it('in sandbox mode, confirms a basic delivery when the clock moves 14 days, not 14 days minus one second', { timeout: 60_000 }, async () => {
    const db = await tempDb()
    const [admin, customer, isv] = await tokensFor(db.location, ['admin', 'a-1'], ['customer', 'c-1'], ['isv', 'v-1'])
    const server = await startServer(db, '--sandbox', '--sandbox-start', '2026-03-01T08:00:00Z')
    running.push(server)
    expect(await call(server, customer, 'GET', '/v1/clock')).toEqual({ kind: 'sandbox', now: '2026-03-01T08:00:00Z' })
    const { id } = await call(server, admin , 'POST', '/v1/instances', { process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-1', isv: 'v-1' } }) as { id: string }
    await call(server, customer , 'POST', `/v1/instances/${id}/act`, { action: 'submit', inputs: DEMAND })
    const finished = await call(server, isv , 'POST', `/v1/instances/${id}/act`, { action: 'finish' })
    expect(finished['deadline']).toMatchObject({ due: '2026-03-15T08:00:00.000Z' })

    expect(await call(server, admin , 'POST', '/v1/advance', { by: 'P13DT23H59M59S' })).toMatchObject({ fired: 0, now: '2026-03-15T07:59:59Z' })
    expect(await call(server, customer , 'GET', `/v1/instances/${id}`)).toMatchObject({ status: 'active', step: { id: 'confirm-delivery' } })
    expect(await call(server, admin , 'POST', '/v1/advance', { by: 'PT1S' })).toMatchObject({ fired: 1 })
    expect(await call(server, customer , 'GET', `/v1/instances/${id}`)).toMatchObject({ status: 'completed' })

    const back = await fetch(`${server.url}/v1/advance`, { method: 'POST', headers: { Authorization: `Bearer ${admin}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ to: '2026-03-01T00:00:00Z' }) })
    expect(back.status).toBe(422)
    expect((await back.json() as { code: string }).code).toBe('clock.backwards')
  })

  it('with the real clock, refuses to move time (and, on a database with a token, prints no sign-in link)', { timeout: 60_000 }, async () => {
    const db = await tempDb()
    const [admin] = await tokensFor(db.location, ['admin', 'a-1'])
    const server = await startServer(db)
    running.push(server)
    expect(await call(server, admin, 'GET', '/v1/clock')).toMatchObject({ kind: 'real' })
    // A database with a token is no first start: no sign-in link is made or printed.
    expect(server.stderr()).not.toContain('/console/link/')
    const response = await fetch(`${server.url}/v1/advance`, { method: 'POST', headers: { Authorization: `Bearer ${admin}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ by: 'P14D' }) })
    expect(response.status).toBe(409)
    expect((await response.json() as { code: string }).code).toBe('clock.not-sandbox')
    expect(await call(server, admin, 'POST', '/v1/advance', {})).toMatchObject({ fired: 0 })
  })

  it('on SIGTERM, finishes the request in flight, then closes the database cleanly', { timeout: 60_000 }, async () => {
    const db = await tempDb()
    const [admin, customer] = await tokensFor(db.location, ['admin', 'a-1'], ['customer', 'c-1'])
    const server = await startServer(db)
    running.push(server)
    const { id } = await call(server, admin , 'POST', '/v1/instances', { process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-1', isv: 'v-1' } }) as { id: string }

    // An upload whose body arrives slowly: half now, the rest after SIGTERM.
    const pdf = readFileSync(join(import.meta.dirname, '../fixtures/files/contract.pdf'))
    let push: (chunk: Uint8Array | null) => void = () => undefined
    const body = new ReadableStream<Uint8Array>({ start(controller) { push = (chunk) => (chunk ? controller.enqueue(chunk) : controller.close()) } })
    const upload = fetch(`${server.url}/v1/attachments?filename=demands.pdf`, { method: 'POST', headers: { Authorization: `Bearer ${customer}` }, body, duplex: 'half' } as RequestInit)
    push(pdf.subarray(0, 200))
    await new Promise((resolve) => setTimeout(resolve, 300))
    server.child.kill('SIGTERM')
    await new Promise((resolve) => setTimeout(resolve, 300))
    push(pdf.subarray(200))
    push(null)
    const response = await upload
    expect(response.status).toBe(201)
    const uploaded = await response.json() as { id: string; type: string; size: number }
    expect(uploaded).toMatchObject({ type: 'pdf', size: pdf.length })
    expect(await server.exited).toBe(0)

    const store = await Store.open(db.location)
    try {
      expect(await store.attachments.find(uploaded.id)).toMatchObject({ size: pdf.length, type: 'pdf' })
      expect((await store.instances.find(id))?.state).toMatchObject({ status: 'active', step: 'submit-demand' })
      expect(await store.instances.history(id)).toHaveLength(2)
    } finally {
      await store.close()
    }
  })
})
