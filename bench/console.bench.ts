import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { realClock, Store } from '../engine/index.js'
import type { Principal } from '../engine/index.js'
import { createToken } from '../server/auth.js'
import { startChildServer } from './lib/child.js'
import { createConsoleTemplates, sampleDeliveries, SEEDED_PROCESSES, seedConsole } from './lib/console-seed.js'
import { ADMIN, CUSTOMER, dbFile, ISV } from './lib/deliveries.js'
import type { BenchOptions } from './lib/options.js'
import { byScale } from './lib/options.js'
import type { Report } from './lib/report.js'
import { Recorder, repeat } from './lib/report.js'
import { quantile } from './lib/stats.js'
import { startNodeFlags } from './lib/start-command.js'

const SERVER = join(import.meta.dirname, 'http-server.ts')
/** The customers besides the measured one, sharing the other half of the deliveries. */
const OTHERS = ['c-2', 'c-3', 'c-4', 'c-5']
/** gzip as zlib's default level (6): what Hono's compress(), Node's CompressionStream and most proxies send. */
const GZIP_LEVEL = 6
const KB = 1024

/** A console page measured: who asks, the paths asked in turn, and what its HTML must hold. */
interface PageSpec {
  readonly key: string
  readonly label: string
  readonly who: 'customer' | 'isv' | 'admin'
  readonly paths: readonly string[]
  /** Why an answer (200) is not the page asked for, or undefined when it is. */
  readonly wrong: (html: string, path: string) => string | undefined
}

/** Links to delivery pages in `html`: one per waiting card and one per row. */
const deliveryLinks = (html: string): number => html.split('href="/console/deliveries/').length - 1
const atLeast = (links: number) => (html: string): string | undefined => deliveryLinks(html) >= links ? undefined : `${deliveryLinks(html)} links to deliveries, not ${links}`

/**
 * `console`: the console's pages as the real app serves them over HTTP on loopback, with a real
 * session cookie, for a customer with 10,000 deliveries among 20,000, one request at a time; and
 * the bytes a browser loads for a delivery page before its diagram is opened, gzipped.
 */
export async function run(options: BenchOptions): Promise<Report> {
  const perParty = byScale(options, 10_000, 60)
  const requests = byScale(options, 100, 3)
  const file = dbFile(options.dir, 'console')
  const at = realClock.now().toString()
  const templates = await createConsoleTemplates(file, [CUSTOMER.subject, ...OTHERS], at)
  const counts = new Map([[CUSTOMER.subject, perParty], ...OTHERS.map((other) => [other, perParty / OTHERS.length] as const)])
  const seedSeconds = seedConsole(file, templates, counts)
  const store = await Store.openSqlite(file)
  const token = await createToken(store, ADMIN, at)
  await store.close()
  const mine = sampleDeliveries(file, CUSTOMER.subject, 50)
  const total = [...counts.values()].reduce((a, b) => a + b, 0) + [...templates.values()].flat().length
  const n = (value: number): string => value.toLocaleString('en-US')

  const pages: PageSpec[] = [
    { key: 'inbox', label: `GET /console, the inbox of a customer with ${n(perParty)} deliveries`, who: 'customer', paths: ['/console'], wrong: atLeast(50) },
    { key: 'inbox-isv', label: `GET /console, the inbox of the ISV of all ${n(total)}`, who: 'isv', paths: ['/console'], wrong: atLeast(50) },
    { key: 'search-process', label: 'GET /console/deliveries?process=…, an admin\'s search by process', who: 'admin', paths: SEEDED_PROCESSES.map((p) => `/console/deliveries?process=${p}`), wrong: atLeast(byScale(options, 25, 1)) },
    {
      key: 'search-order', label: 'GET /console/deliveries?orderId=…, an admin\'s search by order ID', who: 'admin',
      paths: mine.map((d) => `/console/deliveries?orderId=${d.orderId}`),
      wrong: (html, path) => { const d = mine.find((m) => path.endsWith(`=${m.orderId}`)); return d && html.includes(d.id) && deliveryLinks(html) === 1 ? undefined : 'not exactly the delivery of that order ID' },
    },
    {
      key: 'delivery', label: 'GET /console/deliveries/{id}, a delivery page of the customer', who: 'customer',
      paths: mine.map((d) => `/console/deliveries/${d.id}`), wrong: (html, path) => html.includes(path.split('/').at(-1) ?? '-') ? undefined : 'does not name the delivery',
    },
  ]
  const rec = new Recorder()
  for (const page of pages) {
    rec.measure(`${page.key}.p50`, { label: `${page.label}: p50`, unit: 'ms' })
    rec.measure(`${page.key}.p95`, { label: `${page.label}: p95`, unit: 'ms', ...(page.key === 'inbox' ? { target: { op: '<=', value: 50 } as const } : {}) })
    rec.measure(`${page.key}.max`, { label: `${page.label}: max`, unit: 'ms' })
  }
  rec.measure('bytes.html', { label: 'delivery page HTML, gzipped', unit: 'KB' })
  rec.measure('bytes.css', { label: 'console.css, gzipped', unit: 'KB' })
  rec.measure('bytes.js', { label: 'console.js, gzipped', unit: 'KB' })
  rec.measure('bytes.total', { label: 'a delivery page before the diagram is opened (HTML, CSS, JS), gzipped', unit: 'KB', target: { op: '<=', value: 150 } })
  rec.measure('bytes.raw', { label: 'the same, uncompressed (as this server sends them)', unit: 'KB' })
  rec.measure('bytes.mermaid', { label: 'Mermaid, loaded when the diagram is opened (flowchart, dagre), gzipped', unit: 'KB' })
  rec.measure('bytes.mermaid-raw', { label: 'the same, uncompressed', unit: 'KB' })

  const server = await startChildServer([...startNodeFlags(), '--import', 'tsx', SERVER, 'act', file, 'info'], { stream: 'stdout', portPattern: /"port":(\d+)/ })
  const wrong: string[] = []
  let biggest = ''
  try {
    const base = `http://127.0.0.1:${server.port}`
    const cookies = {
      customer: await signIn(base, token, CUSTOMER), isv: await signIn(base, token, ISV), admin: await signIn(base, token, ADMIN),
    }
    const get = async (path: string, who: keyof typeof cookies): Promise<{ status: number; body: string }> => {
      const response = await fetch(`${base}${path}`, { headers: { cookie: cookies[who], 'accept-language': 'en' } })
      return { status: response.status, body: await response.text() }
    }
    let sent = 0
    await repeat(rec, options.runs, async () => {
      for (const page of pages) {
        const latencies: number[] = []
        for (let i = 0; i < requests; i++) {
          const path = page.paths[(sent++) % page.paths.length] as string
          const started = performance.now()
          const { status, body } = await get(path, page.who)
          latencies.push(performance.now() - started)
          const problem = status === 200 ? page.wrong(body, path) : `answered ${status}`
          if (problem && wrong.length < 5) wrong.push(`${path} as the ${page.who}: ${problem}`)
        }
        latencies.sort((a, b) => a - b)
        rec.add(`${page.key}.p50`, quantile(latencies, 0.5))
        rec.add(`${page.key}.p95`, quantile(latencies, 0.95))
        rec.add(`${page.key}.max`, latencies.at(-1) as number)
      }
      // The largest delivery page of the customer's mix, one of each kind, and the assets it names.
      const kinds = await Promise.all((templates.get(CUSTOMER.subject) ?? []).map(async (id) => ({ id, ...await get(`/console/deliveries/${id}`, 'customer') })))
      const page = kinds.reduce((a, b) => (gzipped(b.body) > gzipped(a.body) ? b : a))
      biggest = page.id
      const assets = [...page.body.matchAll(/(?:src|href)="(\/console\/assets\/[^"]+)"/g)].map((match) => match[1] as string)
      const loaded = await Promise.all(assets.map(async (path) => ({ path, body: (await get(path, 'customer')).body })))
      const of = (name: string): string => loaded.find((asset) => asset.path.endsWith(name))?.body ?? ''
      if (loaded.length !== 2 || !of('/console.css') || !of('/console.js')) wrong.push(`the delivery page loads ${assets.join(', ')}, not console.css and console.js`)
      rec.add('bytes.html', gzipped(page.body) / KB)
      rec.add('bytes.css', gzipped(of('/console.css')) / KB)
      rec.add('bytes.js', gzipped(of('/console.js')) / KB)
      rec.add('bytes.total', [page.body, ...loaded.map((asset) => asset.body)].reduce((sum, body) => sum + gzipped(body), 0) / KB)
      rec.add('bytes.raw', [page.body, ...loaded.map((asset) => asset.body)].reduce((sum, body) => sum + Buffer.byteLength(body), 0) / KB)
      const mermaid = mermaidFiles()
      rec.add('bytes.mermaid', mermaid.reduce((sum, body) => sum + gzipped(body), 0) / KB)
      rec.add('bytes.mermaid-raw', mermaid.reduce((sum, body) => sum + body.length, 0) / KB)
    })
  } finally {
    await server.stop()
  }
  rec.check('every page answered 200 with what was asked', wrong.length === 0, wrong.join('; ') || `${n(requests)} requests per page per run, each page checked (links to deliveries, the order's delivery, the delivery's id)`)
  rec.note(`Population: ${n(total)} deliveries, ${n(perParty)} of customer ${CUSTOMER.subject} and ${n(perParty / OTHERS.length)} of each of ${OTHERS.join(', ')}, all with ISV ${ISV.subject}; each customer's are clones (bench/lib/seed.ts) of ten real ones of four built-in processes (basic, contract, double-check, license-supervision) at different steps, six of ten waiting on the customer; each with an order ID of its own. Seeded in ${seedSeconds.toFixed(1)} s.`)
  rec.note(`Server: a child process (bench/http-server.ts act, createApp() as served, request logs on, npm start's node flags); pages asked one at a time over one keep-alive connection by fetch in this process, with a session cookie from a one-time link (POST /v1/console-sessions, then the link POSTed with an Origin header). Latency: from sending the request to the last byte of the body. The inbox is the waiting section (25, oldest first) and the first page of all deliveries (25, newest first).`)
  rec.note(`Bytes: gzip level ${GZIP_LEVEL} (node:zlib) of the largest of the customer's ten delivery pages (${biggest}) and of each asset its HTML names; KB = 1,024 bytes. Mermaid: its ES module and the chunks a flowchart loads (the entry's static imports, the flowchart's chunk and the dagre layout's, with theirs), found by reading the imports, not measured in a browser.`)
  return rec.report('console', 'the console\'s server time for a party with 10,000 deliveries, and the bytes of a delivery page', {
    deliveries: total, 'requests per page per run': requests, runs: options.runs, 'warm-up runs': 1,
  })
}

/** A session cookie for `who`: a one-time link made with the admin's token, then opened as the link's page does. */
async function signIn(base: string, token: string, who: Principal): Promise<string> {
  const created = await fetch(`${base}/v1/console-sessions`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ role: who.role, subject: who.subject }),
  })
  if (created.status !== 201) throw new Error(`POST /v1/console-sessions answered ${created.status}: ${await created.text()}`)
  const { url } = await created.json() as { url: string }
  const opened = await fetch(url, { method: 'POST', redirect: 'manual', headers: { origin: base } })
  if (opened.status !== 303) throw new Error(`The sign-in link answered ${opened.status}: ${await opened.text()}`)
  return opened.headers.getSetCookie().map((cookie) => cookie.split(';')[0]).join('; ')
}

function gzipped(text: string): number {
  return gzipSync(text, { level: GZIP_LEVEL }).length
}

/** Mermaid's browser build as the console serves it (see console/assets.ts). */
const MERMAID_DIR = dirname(fileURLToPath(import.meta.resolve('mermaid')))

/**
 * The files of Mermaid a flowchart loads: its ES module with everything it imports statically,
 * and the flowchart's and the dagre layout's chunks (imported on demand) with theirs.
 */
function mermaidFiles(): string[] {
  const files = new Map<string, string>()
  const visit = (path: string): void => {
    if (files.has(path)) return
    const text = readFileSync(path, 'utf8')
    files.set(path, text)
    for (const match of text.matchAll(/(?:from|import)\s*"(\.{1,2}\/[^"]+\.mjs)"/g)) visit(join(dirname(path), match[1] as string))
  }
  const entry = join(MERMAID_DIR, 'mermaid.esm.min.mjs')
  visit(entry)
  for (const chunk of [/flowDiagram-[\w]+\.mjs/, /dagre-[\w]+\.mjs/]) {
    const named = [...files.values()].join('\n').match(new RegExp(`import\\("(\\.{1,2}/[^"]*${chunk.source})"\\)`))
    if (!named?.[1]) throw new Error(`Mermaid names no chunk like ${chunk.source}.`)
    const from = [...files.keys()].find((path) => (files.get(path) ?? '').includes(named[1] as string)) ?? entry
    visit(join(dirname(from), named[1]))
  }
  return [...files.values()]
}
