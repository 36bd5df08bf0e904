import { expect } from 'vitest'
import type { Browser, BrowserContext, BrowserContextOptions, Locator, Page } from 'playwright-core'
import type { Principal } from '../../engine/index.js'
import { messages } from '../../console/i18n.js'
import { accessibilityViolations, screenshot, sharedBrowser } from './browser.js'
import { signInLink } from './console.js'
import type { Api, Who } from './http.js'
import { EventHub } from '../../server/event-hub.js'
import { openApi } from './http.js'
import { serveOnLoopback } from './loopback.js'
import type { Loopback } from './loopback.js'

/** The processes whose deliveries need order details to start. */
const DELIVERY_CENTER = new Set(['basic', 'contract', 'double-check', 'step-by-step'])

/** One app on loopback and a browser context per person in the worker's Chromium, shared by the tests of a browser test file. */
export interface ConsoleRig {
  readonly api: Api
  readonly server: Loopback
  readonly browser: Browser
  /** A new browser context (one person), closed with the rig. */
  context(options?: BrowserContextOptions): Promise<BrowserContext>
  /**
   * A page of a new context signed in as `who` by a one-time link, landed on `path` (the inbox by
   * default). With `fakeClock`, the page's timers run only when the test moves its clock (`page.clock`).
   */
  signedIn(who: Who, options?: BrowserContextOptions & { path?: string; fakeClock?: boolean }): Promise<Page>
  /**
   * The page of `who`'s one browser context in this file, signed in on first use (and opened on
   * `path` if given). Its timers are fake: they run when the test moves `page.clock`.
   */
  person(who: Who, path?: string): Promise<Page>
  /** A sign-in link for `who`, on this server. */
  link(who: Who, path?: string): Promise<string>
  /** Starts a delivery as the admin; its id. */
  start(process: string, context?: Record<string, unknown>, parties?: Record<string, string>): Promise<string>
  close(): Promise<void>
}

export async function openConsoleRig(): Promise<ConsoleRig> {
  // The live streams' reader ticks often: pages follow changes the tests make through the engine (which wake no reader) at once.
  const [api, browser] = await Promise.all([openApi({ events: { hub: (engine) => new EventHub(engine, { intervalMs: 100 }) } }), sharedBrowser()])
  const server = await serveOnLoopback(api)
  const contexts: BrowserContext[] = []
  const people = new Map<Who, Promise<Page>>()
  const rig: ConsoleRig = {
    api, server, browser,
    async context(options = {}) {
      const context = await browser.newContext({ baseURL: server.url, ...options })
      // Generous: a loaded CI machine may be slow to answer; only a page that never does fails.
      context.setDefaultTimeout(15_000)
      contexts.push(context)
      return context
    },
    async link(who, path) {
      return (await signInLink(api, who, path)).replace(/^https?:\/\/[^/]+/, server.url)
    },
    async signedIn(who, { path, fakeClock = false, ...options } = {}) {
      const page = await (await rig.context(options)).newPage()
      if (fakeClock) await page.clock.install()
      await page.goto(await rig.link(who, path))
      await page.waitForURL((url) => url.pathname === (path ?? '/console'))
      return page
    },
    async person(who, path) {
      const known = people.get(who)
      if (!known) {
        const page = rig.signedIn(who, { ...(path ? { path } : {}), fakeClock: true, timezoneId: ZONES[who] ?? 'UTC' })
        people.set(who, page)
        return page
      }
      const page = await known
      if (path) await page.goto(path)
      return page
    },
    async start(process, context = {}, parties = { customer: 'c-1', isv: 'v-1' }) {
      // The Delivery Center processes require the order's details.
      const order = DELIVERY_CENTER.has(process) ? { orderId: 'o-1', specification: 'Standard', productId: 'p-1' } : {}
      return (await api.engine.instances.start({ process, parties, context: { ...order, ...context } }, ADMIN)).id
    },
    async close() {
      await Promise.all(contexts.map((context) => context.close()))
      await server.close()
      await api.close()
    },
  }
  return rig
}

const ADMIN: Principal = { role: 'admin', subject: 'a-1' }
/** Where each person's browser is: times are shown in its zone. */
const ZONES: Partial<Record<Who, string>> = { customer: 'Asia/Shanghai', isv: 'Europe/Berlin' }

/** Waits until an element of `locator` shows `text` (a substring, or a pattern); its text. */
export async function shows(locator: Locator, text: string | RegExp): Promise<string> {
  const found = locator.filter({ hasText: text }).first()
  await found.waitFor()
  return (await found.textContent()) ?? ''
}

/**
 * Writes the page's screenshot as a test artefact (with `SCREENSHOTS=1`) and, unless `axe` is false (a page already
 * checked in another state), expects no serious or critical axe-core violation on it.
 */
export async function checkPage(page: Page, name: string, { axe = true }: { axe?: boolean } = {}): Promise<void> {
  await screenshot(page, name)
  if (axe) expect(await accessibilityViolations(page), `${name}: accessibility`).toEqual([])
}

/**
 * The English catalogue's strings as they appear on a page: each plain message, and the fixed
 * parts of each message that takes values (filled with a marker, split at it). Strings the
 * Chinese catalogue also has (the same in both) are left out.
 */
export function englishStrings(): { whole: string[]; parts: string[] } {
  const MARK = '\u0000'
  const whole = new Set<string>()
  const parts = new Set<string>()
  const zhTexts = new Set<string>()
  const walk = (value: unknown, into: (text: string, filled: boolean) => void): void => {
    if (typeof value === 'string') into(value, false)
    else if (typeof value === 'function') into(String((value as (...args: unknown[]) => unknown)(MARK, MARK, MARK, MARK)), true)
    else if (typeof value === 'object' && value !== null) for (const item of Object.values(value)) walk(item, into)
  }
  walk(messages('zh'), (text) => zhTexts.add(text))
  walk(messages('en'), (text, filled) => {
    if (zhTexts.has(text)) return
    if (!filled) whole.add(text)
    else for (const part of text.split(MARK).map((p) => p.replace(/\{at\}/g, '').trim())) if (/[A-Za-z]{3}/.test(part) && part.length >= 6) parts.add(part)
  })
  return { whole: [...whole], parts: [...parts] }
}

/**
 * The console's English strings that show on the page: a visible text node (or an accessible
 * name, title or the document's title) equal to a plain message, or containing a long one or a
 * fixed part of a message with values. Process texts (written in English by their authors) are
 * not the console's and are not matched unless they equal one of its strings.
 */
export async function englishOnPage(page: Page): Promise<string[]> {
  const { whole, parts } = englishStrings()
  // Run in the page (a string: the tests are compiled without the DOM's types).
  const texts = await page.evaluate(`(() => {
    const found = [document.title]
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT)
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement
      if (!parent || parent.closest('script, style, [hidden]')) continue
      const text = node.textContent.trim()
      if (text !== '') found.push(text)
    }
    for (const element of document.querySelectorAll('[aria-label], [title], [placeholder]')) {
      for (const name of ['aria-label', 'title', 'placeholder']) {
        const value = element.getAttribute(name)
        if (value) found.push(value.trim())
      }
    }
    return found
  })()`) as string[]
  const hits = new Set<string>()
  for (const text of texts) {
    for (const s of whole) if (text === s || (s.length >= 12 && text.includes(s))) hits.add(s)
    for (const part of parts) if (text.includes(part)) hits.add(part)
  }
  return [...hits]
}
