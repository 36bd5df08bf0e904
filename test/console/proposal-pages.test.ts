import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { realClock } from '../../engine/index.js'
import type { Principal } from '../../engine/index.js'
import { CheckQueue } from '../../server/check-queue.js'
import { ConsoleSessions } from '../../console/sessions.js'
import { snapshot } from '../support/database.js'
import { openApi, WHO } from '../support/http.js'
import type { Api, Who } from '../support/http.js'
import { serveOnLoopback } from '../support/loopback.js'
import type { Loopback } from '../support/loopback.js'

// The proposals' console pages against what people type into processes and proposals: titles
// and comments are text, never markup or YAML, and a form from anywhere else changes nothing.

let api: Api
let server: Loopback
let sessions: ConsoleSessions
beforeEach(async () => {
  api = await openApi()
  server = await serveOnLoopback(api)
  sessions = new ConsoleSessions(api.store, realClock)
})
afterEach(async () => {
  await server.close()
  await api.close()
})

async function signedIn(who: Who): Promise<{ cookie: string; csrf: string }> {
  const { secret } = await sessions.createLink(WHO[who])
  const session = await sessions.redeem(secret)
  if (!session) throw new Error('the link did not open a session')
  return { cookie: `dc_session=${session.secret}`, csrf: sessions.csrfToken(session.secret) }
}

async function page(path: string, who: { cookie: string }): Promise<{ status: number; html: string }> {
  const response = await fetch(`${server.url}${path}`, { headers: { Cookie: who.cookie }, redirect: 'manual' })
  return { status: response.status, html: await response.text() }
}

async function post(path: string, who: { cookie: string }, form: Record<string, string>, origin = server.url): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    method: 'POST', redirect: 'manual', body: new URLSearchParams(form).toString(),
    headers: { Cookie: who.cookie, Origin: origin, 'Content-Type': 'application/x-www-form-urlencoded' },
  })
}

/** The text of the page's `<textarea id="source">`, as a browser would read it. */
function sourceOf(html: string): string {
  const escaped = /<textarea id="source"[^>]*>([^<]*)<\/textarea>/.exec(html)?.[1] ?? ''
  return escaped.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&')
}

const HOSTILE_TITLE = 'Backup: files & "more" # <b>bold</b>'

describe('proposing from a base', () => {
  it('the editor starts from a text that compiles whatever the base is titled (colons, quotes, # and markup)', async () => {
    const base = `id: backup\nversion: 1\ntitle: '${HOSTILE_TITLE}'\nroles: [customer, isv]\nsteps:\n  - { id: work, title: Work, actor: isv, actions: { done: { end: completed } } }\n`
    await api.engine.processes.register(base, 'backup.yaml')
    const isv = await signedIn('isv')
    const { status, html } = await page('/console/proposals/new?base=backup', isv)
    expect(status).toBe(200)
    expect(html).not.toContain('<b>bold</b>')
    const source = sourceOf(html)
    expect(source).toContain('extends: backup@1')
    const check = await api.call('POST', '/v1/processes/validate', { who: 'isv', json: { definition: source } })
    expect(await check.json()).toMatchObject({ valid: true, process: { title: `${HOSTILE_TITLE} (customised)` } })
  })
})

describe('a proposal page', () => {
  it('shows the title, text and comments as text', async () => {
    const definition = `id: v-backup\nversion: 1\nextends: basic@6\ntitle: "<script>alert(1)</script>"\n`
    const submitted = await api.call('POST', '/v1/proposals', { who: 'isv', json: { definition } })
    const { id } = await submitted.json() as { id: string }
    await api.call('POST', `/v1/proposals/${id}/return`, { who: 'admin', json: { comment: '<img src=x onerror=alert(2)> "quoted" & more' } })
    for (const who of ['isv', 'admin'] as const) {
      const { status, html } = await page(`/console/proposals/${id}`, await signedIn(who))
      expect(status).toBe(200)
      expect(html).not.toContain('<script>alert')
      expect(html).not.toContain('<img src=x')
      expect(html).toContain('&lt;img src=x onerror=alert(2)&gt;')
    }
  })

  it('checks the proposal\'s text, for the page and its diagram, in the queue of checks as the viewer\'s, so views cannot crowd out other people\'s checks', async () => {
    const queued: string[] = []
    class RecordingQueue extends CheckQueue {
      override run<T>(principal: Principal, check: () => Promise<T>): Promise<T> {
        queued.push(`${principal.role}:${principal.subject}`)
        return super.run(principal, check)
      }
    }
    await server.close()
    await api.close()
    api = await openApi({ checks: new RecordingQueue() })
    server = await serveOnLoopback(api)
    sessions = new ConsoleSessions(api.store, realClock)
    const submitted = await api.call('POST', '/v1/proposals', { who: 'isv', json: { definition: 'id: v-backup\nversion: 1\nextends: basic@6\ntitle: ACME\n' } })
    const { id } = await submitted.json() as { id: string }
    queued.length = 0
    const isv = await signedIn('isv')
    expect((await page(`/console/proposals/${id}`, isv)).status).toBe(200)
    expect((await page(`/console/proposals/${id}/diagram`, isv)).status).toBe(200)
    expect(queued).toEqual([`isv:${WHO.isv.subject}`, `isv:${WHO.isv.subject}`])
  })

  it('compares rounds whose texts differ on every one of 12,000 lines at once, rather than blocking the server for 16 s', async () => {
    const text = (tag: string): string => `id: v-backup\nversion: 1\nextends: basic@6\ntitle: ACME\n${Array.from({ length: 12_000 }, (_, i) => `# ${tag}${i}`).join('\n')}\n`
    const submitted = await api.call('POST', '/v1/proposals', { who: 'isv', json: { definition: text('a') } })
    const { id } = await submitted.json() as { id: string }
    expect((await api.call('POST', `/v1/proposals/${id}/amend`, { who: 'isv', json: { definition: text('b') } })).status).toBe(200)
    const started = Date.now()
    const { status, html } = await page(`/console/proposals/${id}`, await signedIn('admin'))
    expect(status).toBe(200)
    expect(Date.now() - started).toBeLessThan(8000) // 16 s before, whatever the load of the machine
    // Shown as every old line removed and every new one added.
    expect(html).toContain('# a11999')
    expect(html).toContain('# b11999')
  })

  it('refuses a review, amendment or withdrawal from another site or without the session\'s token, changing nothing', async () => {
    const submitted = await api.call('POST', '/v1/proposals', { who: 'isv', json: { definition: 'id: v-backup\nversion: 1\nextends: basic@6\ntitle: ACME\n' } })
    const { id } = await submitted.json() as { id: string }
    const admin = await signedIn('admin')
    const isv = await signedIn('isv')
    const before = await snapshot(api.database)
    const attempts: Array<[string, { cookie: string; csrf: string }, Record<string, string>]> = [
      [`/console/proposals/${id}/review`, admin, { decision: 'approve' }],
      [`/console/proposals/${id}/withdraw`, isv, {}],
      [`/console/proposals/${id}/amend`, isv, { source: 'id: v-backup\nversion: 1\nextends: basic@6\ntitle: Changed\n' }],
      ['/console/proposals', isv, { source: 'id: v-other\nversion: 1\nextends: basic@6\ntitle: Other\n' }],
    ]
    for (const [path, who, form] of attempts) {
      expect((await post(path, who, { ...form, _csrf: who.csrf }, 'https://evil.example')).status, path).toBe(403)
      expect((await post(path, who, form)).status, path).toBe(403)
      expect((await post(path, who, { ...form, _csrf: (who === admin ? isv : admin).csrf })).status, path).toBe(403)
    }
    expect(await snapshot(api.database)).toEqual(before)
  })
})

describe('the list of proposals', () => {
  it('shows a page of 25, newest first, and links to the next', async () => {
    const submit = async (i: number): Promise<string> => {
      const response = await api.call('POST', '/v1/proposals', { who: 'isv', json: { definition: `id: v-page-${i}\nversion: 1\nextends: basic@6\ntitle: Page ${i}\n` } })
      expect(response.status).toBe(201)
      api.clock.advance('PT1S')
      return ((await response.json()) as { id: string }).id
    }
    // An ISV has 20 open at most: six withdrawn make room for six more, 26 in all.
    const ids: string[] = []
    for (let i = 1; i <= 20; i++) ids.push(await submit(i))
    for (const id of ids.slice(0, 6)) expect((await api.call('POST', `/v1/proposals/${id}/withdraw`, { who: 'isv', json: {} })).status).toBe(200)
    for (let i = 21; i <= 26; i++) ids.push(await submit(i))
    const admin = await signedIn('admin')
    const first = await page('/console/proposals', admin)
    expect(first.status).toBe(200)
    const titles = (html: string): string[] => [...html.matchAll(/>Page (\d+)</g)].map((m) => `Page ${m[1] ?? ''}`)
    expect(titles(first.html)).toEqual(Array.from({ length: 25 }, (_, i) => `Page ${26 - i}`))
    const next = /<a rel="next" href="([^"]+)"/.exec(first.html)?.[1]?.replaceAll('&amp;', '&')
    expect(next).toMatch(/^\/console\/proposals\?cursor=/)
    const second = await page(next ?? '', admin)
    expect(titles(second.html)).toEqual(['Page 1'])
    expect(second.html).not.toContain('rel="next"')
  })
})
