import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Api, Who } from '../support/http.js'
import { serveForEachTest } from '../support/loopback.js'
import type { Loopback } from '../support/loopback.js'

// What anyone with a token can make `POST /v1/processes/validate` (the studio's check) do: a
// definition and scenarios are the caller's text, so every bound of running them is the server's.

let api: Api
let server: Loopback
serveForEachTest((opened, served) => { api = opened; server = served })

/** Two steps whose timeouts send the delivery back and forth every minute, for ever. */
const PING_PONG = readFileSync(join(import.meta.dirname, '../fixtures/ping-pong.yaml'), 'utf8')

/** One process of one step whose timeout is `after`. */
function timedOut(after: string): string {
  return `id: timed\nversion: 1\ntitle: Timed\nroles: [customer]\nsteps:\n  - id: wait\n    title: Wait\n    actor: customer\n    timeout: { after: ${after}, action: done }\n    actions:\n      done: { title: Done, end: done }\n`
}

function scenario(process: string, moves: readonly string[], start = ''): string {
  return `process: ${process}\nscenarios:\n  - name: s\n    start: { parties: { customer: c-1 }${start} }\n    then:\n${moves.map((m) => `      - ${m}\n`).join('')}`
}

interface Located { code: string; message: string; location: { line: number; column: number; pointer: string } }
interface Check {
  valid: boolean
  problems: Located[]
  scenarios?: { problems: Located[]; results: Array<{ name: string; passed: boolean; problems: Located[] }> }
}

async function check(body: unknown, who: Who = 'customer'): Promise<{ status: number; body: Check }> {
  const response = await fetch(`${server.url}/v1/processes/validate`, {
    method: 'POST', body: JSON.stringify(body),
    headers: { Authorization: `Bearer ${api.tokens[who]}`, 'Content-Type': 'application/json' },
  })
  return { status: response.status, body: await response.json() as Check }
}

describe('scenarios that fire deadlines without end', () => {
  it('stop at a budget of decisions for the whole text, and the server answers others meanwhile', async () => {
    // Each move fires 9,990 timeouts, under the 10,000 a single move may; 400 of them are four
    // million decisions, about a minute of one core, from any token, in 8 KB of text.
    const moves = Array.from({ length: 400 }, () => 'wait: PT9990M')
    // Without the budget they would run past the test's 30 s timeout.
    const checking = check({ definition: PING_PONG, scenarios: scenario('ping-pong', moves) })
    const health = fetch(`${server.url}/healthz`).then(() => Date.now())
    const { status, body } = await checking
    const finished = Date.now()
    expect(status).toBe(200)
    // The liveness check was answered while the scenarios ran, not after them.
    expect(await health).toBeLessThan(finished)
    const result = body.scenarios?.results[0]
    expect(result?.passed).toBe(false)
    expect(result?.problems).toEqual([expect.objectContaining({ code: 'scenario.refused', message: expect.stringContaining('25,000') as unknown })])
    expect(result?.problems[0]?.location.pointer).toMatch(/^\/scenarios\/0\/then\/\d+$/)
  })

  it('scenarios after the budget is spent are reported as not run, each at its place', async () => {
    const looping = `  - name: loops\n    start: { parties: { customer: c-1 } }\n    then:\n${'      - wait: PT9990M\n'.repeat(3)}`
    const quiet = '  - name: quiet\n    start: { parties: { customer: c-1 } }\n'
    const { body } = await check({ definition: PING_PONG, scenarios: `process: ping-pong\nscenarios:\n${looping}${quiet}` })
    expect(body.scenarios?.results.map((r) => r.passed)).toEqual([false, false])
    expect(body.scenarios?.results[1]?.problems).toEqual([expect.objectContaining({ code: 'scenario.refused', location: expect.objectContaining({ pointer: '/scenarios/1' }) as unknown })])
  })
})

describe('scenarios whose every decision is heavy', () => {
  it('an expression of tens of thousands of steps on every timeout: cut off at 5 s of work, not minutes', async () => {
    // Each evaluation stays under the expression limits (about 45,000 steps, a few ms); 12,500
    // of them fit in the budget of decisions, a minute or more of one core: past the test's 30 s
    // timeout, were they not cut off.
    const heavy = PING_PONG.replace('go: { title: Go, goto: pong }', 'go: { title: Go, goto: pong, record: { n: "$sum([1..999].($sum([1..40])))" } }')
    const { status, body } = await check({ definition: heavy, scenarios: scenario('ping-pong', Array.from({ length: 40 }, () => 'wait: PT9990M')) })
    expect(status).toBe(200)
    expect(body.scenarios?.results[0]?.problems).toEqual([expect.objectContaining({ code: 'scenario.refused', message: expect.stringContaining('5 s') as unknown })])
  })
})

describe('what a check answers', () => {
  /** A raw check's answer and its size in bytes. */
  async function sized(definition: string): Promise<{ bytes: number; body: Check }> {
    const response = await fetch(`${server.url}/v1/processes/validate`, {
      method: 'POST', body: JSON.stringify({ definition }),
      headers: { Authorization: `Bearer ${api.tokens.customer}`, 'Content-Type': 'application/json' },
    })
    const text = await response.text()
    return { bytes: Buffer.byteLength(text), body: JSON.parse(text) as Check }
  }
  const steps = (n: number): string => Array.from({ length: n }, (_, i) => `  - { id: s${i}, title: S, actor: nobody, actions: { go: { title: Go, ${i === n - 1 ? 'end: done' : `goto: s${i + 1}`} } } }\n`).join('')

  it('lists at most a few known names in each hint, and 100 problems: 400 naming 2,000 parameters are not 5 MB', async () => {
    // A process names at most 32 roles: long lists of names are of parameters, steps or fields.
    const parameters = Array.from({ length: 2_000 }, (_, i) => `  w${i}: { type: duration, default: P1D }\n`).join('')
    const waiting = steps(400).replaceAll('actor: nobody', 'actor: r0, timeout: { after: nope, action: go }')
    const definition = `id: big\nversion: 1\ntitle: Big\nroles: [r0]\nparameters:\n${parameters}steps:\n${waiting}`
    const { bytes, body } = await sized(definition)
    expect(body.problems.filter((p) => p.code === 'definition.unknown-parameter')).toHaveLength(100)
    expect(bytes).toBeLessThan(2 * definition.length)
    const hint = (body.problems[0] as Located & { hint?: string }).hint ?? ''
    expect(hint).toMatch(/name a duration parameter \(w0, w1, .* and 1,980 more\)\.$/)
  })

  it('quotes at most a few hundred characters of a value in each failed expectation: 2,000 of them on a 60 KB context are not 120 MB', async () => {
    const definition = `id: p\nversion: 1\ntitle: P\nroles: [customer]\ncontext:\n  type: object\n  properties:\n    big: { type: string }\nsteps:\n  - { id: a, title: A, actor: customer, actions: { go: { title: Go, end: done } } }\n`
    const scenarios = `process: p\nscenarios:\n  - name: s\n    start: { parties: { customer: c-1 }, context: { big: "${'x'.repeat(60_000)}" } }\n    then:\n${'      - wait: PT1S\n        expect: { context: { big: 1 } }\n'.repeat(2000)}`
    const response = await fetch(`${server.url}/v1/processes/validate`, {
      method: 'POST', body: JSON.stringify({ definition, scenarios }),
      headers: { Authorization: `Bearer ${api.tokens.customer}`, 'Content-Type': 'application/json' },
    })
    const text = await response.text()
    expect(Buffer.byteLength(text)).toBeLessThan(1_000_000)
    // The first 1,000 problems, then how many more there were.
    const problems = (JSON.parse(text) as Check).scenarios?.results[0]?.problems ?? []
    expect(problems).toHaveLength(1001)
    expect(problems[1000]).toMatchObject({ message: expect.stringMatching(/^1,000 more problems of this scenario are not listed/) as unknown, location: { pointer: '/scenarios/0' } })
    expect(problems[0]?.message).toMatch(/^Expected context value "big" to be 1, but it is "x{50,}… \(60,002 characters\)"?\.$/)
  })

  it('a 100 KB text repeated by 600 aliases: definition.alias-limit at the eleventh alias, not a 60 MB answer', async () => {
    const steps = Array.from({ length: 300 }, (_, i) => `  - { id: s${i}, title: *t, actor: customer, actions: { go: { title: *t, ${i === 299 ? 'end: done' : `goto: s${i + 1}`} } } }\n`).join('')
    const definition = `id: p\nversion: 1\ntitle: P\ndescription: &t "${'x'.repeat(100_000)}"\nroles: [customer]\nsteps:\n${steps}`
    const { bytes, body } = await sized(definition)
    expect(bytes).toBeLessThan(definition.length)
    expect(body).toMatchObject({ valid: false, problems: [{ code: 'definition.alias-limit', message: expect.stringContaining('1,048,576 characters') as unknown, location: { line: 12 } }] })
  })

  it('lists at most a few anchors for each unknown alias', async () => {
    const anchors = Array.from({ length: 5000 }, (_, i) => `a${i}: &anchor${i} x\n`).join('')
    const definition = `${anchors}${Array.from({ length: 500 }, (_, i) => `b${i}: *nothing${i}\n`).join('')}`
    const { bytes } = await sized(definition)
    expect(bytes).toBeLessThan(2 * definition.length)
  })
})

describe('regular expressions that backtrack', () => {
  // Six quantifiers that can each take any of the digits: on 200 digits and no x, a backtracking
  // engine tries every way of sharing them out (about 10^11 ways: far past the test's 30 s
  // timeout), and no time limit can interrupt one match. The static check refuses repeated
  // groups, not these.
  const SLOW = String.raw`\d*\d*\d*\d*\d*\d*x`
  const process = (action: string): string => `id: p\nversion: 1\ntitle: P\nroles: [customer]\nsteps:\n  - id: a\n    title: A\n    actor: customer\n    actions:\n      go:\n        title: Go\n        end: done\n${action}`
  const acting = scenario('p', [`act: go\n        by: customer\n        inputs: { x: "${'1'.repeat(200)}" }`])

  it('in an expression, on an input: the scenario runs at once, the match on the linear engine', async () => {
    const definition = process(`        inputs: { type: object, properties: { x: { type: string } } }\n        record: { found: '$contains(inputs.x, /${SLOW}/)' }\n`)
    const { body } = await check({ definition, scenarios: acting })
    expect(body.scenarios?.results[0]).toMatchObject({ passed: true })
  })

  it('as the pattern of an input schema: the input is checked at once, on the linear engine', async () => {
    const definition = process(`        inputs: { type: object, properties: { x: { type: string, pattern: '${SLOW}' } } }\n`)
    const { body } = await check({ definition, scenarios: acting.replace('inputs: {', 'refused: { code: input.invalid, field: /inputs/x }\n        inputs: {') })
    expect(body.problems).toEqual([])
    expect(body.scenarios?.results[0]?.problems).toEqual([])
  })
})

describe('durations and clocks beyond what can be represented', () => {
  it('a timeout of a million years: a located definition.duration problem, not a 500', async () => {
    const { status, body } = await check({ definition: timedOut('P999999Y'), scenarios: scenario('timed', ['wait: P1D']) })
    expect(status).toBe(200)
    expect(body.valid).toBe(false)
    expect(body.problems).toEqual([expect.objectContaining({ code: 'definition.duration', message: expect.stringContaining('P1000Y') as unknown, location: expect.objectContaining({ pointer: '/steps/0/timeout/after' }) as unknown })])
  })

  it('a thousand years is still accepted', async () => {
    const { body } = await check({ definition: timedOut('P1000Y'), scenarios: scenario('timed', ['wait: P1000Y'], ', at: "2026-01-01T00:00:00Z"') })
    expect(body.valid).toBe(true)
    expect(body.scenarios?.results[0]).toMatchObject({ passed: true })
  })

  it('a scenario clock moved past the year 9999: scenario.invalid at the move, not a 500', async () => {
    const { status, body } = await check({ definition: timedOut('P1D'), scenarios: scenario('timed', ['wait: P999999Y']) })
    expect(status).toBe(200)
    expect(body.scenarios?.results[0]?.problems).toEqual([expect.objectContaining({ code: 'scenario.invalid', location: expect.objectContaining({ pointer: '/scenarios/0/then/0/wait' }) as unknown })])
    const many = await check({ definition: timedOut('P1D'), scenarios: scenario('timed', Array.from({ length: 300 }, () => 'wait: P1000Y')) })
    expect(many.status).toBe(200)
    expect(many.body.scenarios?.results[0]?.problems).toEqual([expect.objectContaining({ code: 'scenario.invalid', message: expect.stringContaining('9999') as unknown })])
  })

  it('the sandbox clock moved past the year 9999: request.invalid at /to or /by, the clock and its deadlines left as they were', async () => {
    const started = await api.call('POST', '/v1/instances', { who: 'admin', json: { process: 'basic', parties: { customer: 'c-1', isv: 'v-1' }, context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' } } })
    expect(started.status).toBe(201)
    const before = await (await api.call('GET', '/v1/clock', { who: 'admin' })).json() as { now: string }
    // An instant past 9999 is no RFC 3339 instant; a duration that ends past it is refused as such.
    for (const [json, pointer, rule] of [[{ to: '+010000-01-01T00:00:00Z' }, '/to', 'format'], [{ by: 'P8000Y' }, '/by', 'maximum']] as const) {
      const refused = await api.call('POST', '/v1/advance', { who: 'admin', json })
      expect(refused.status).toBe(422)
      expect(await refused.json()).toMatchObject({ code: 'request.invalid', errors: [{ pointer, rule }] })
    }
    expect(await (await api.call('GET', '/v1/clock', { who: 'admin' })).json()).toMatchObject({ now: before.now })
    // The last instant of 9999 is still a place the clock may go: the delivery's deadline fires there.
    const moved = await api.call('POST', '/v1/advance', { who: 'admin', json: { to: '9999-12-31T23:59:59.999Z' } })
    expect(await moved.json()).toMatchObject({ now: '9999-12-31T23:59:59.999Z' })
  })

  it('a party role named like a property of every object acts as itself, not as an object', async () => {
    const { body } = await check({ definition: timedOut('P1D'), scenarios: scenario('timed', ['act: done\n        by: __proto__']) })
    const problem = body.scenarios?.results[0]?.problems[0]
    expect(problem?.code).toBe('scenario.refused')
    expect(problem?.message).not.toContain('[object Object]')
  })
})
