import { existsSync } from 'node:fs'
import { mkdir, readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import type { Browser, Page } from 'playwright-core'
import { ROOT } from './cli.js'

/** Debian's headless shell of Chromium (`chromium-headless-shell`: a third less CPU than the whole browser). */
const HEADLESS_SHELL = '/usr/lib/chromium/chromium-headless-shell'

/**
 * The browser named by CHROMIUM_PATH; else Debian's Chromium headless shell, which .ci/run
 * installs; else Debian's Chromium.
 */
const EXECUTABLE = process.env['CHROMIUM_PATH'] ?? (existsSync(HEADLESS_SHELL) ? HEADLESS_SHELL : '/usr/bin/chromium')

/** Where browser tests keep their screenshots: a test artefact, not a fixture. */
export const SCREENSHOTS = join(ROOT, 'test-artifacts', 'screenshots')

/**
 * Whether to write them: with `SCREENSHOTS=1` (to look at the pages). A full-page capture costs
 * Chromium about a sixth of the browser tests' CPU, for files no test reads.
 */
const WRITE_SCREENSHOTS = process.env['SCREENSHOTS'] === '1'

let shared: Promise<Browser> | undefined

/**
 * A headless Chromium shared by the browser test files a worker process runs one after another
 * (each opens contexts of its own in it and closes them): a start costs Chromium about 0.75 s of
 * CPU. Launched again if it went away or failed to start; Playwright ends it when the worker
 * process exits.
 */
export async function sharedBrowser(): Promise<Browser> {
  const browser = await shared?.catch(() => undefined)
  if (browser?.isConnected()) return browser
  shared = chromium.launch({
    executablePath: EXECUTABLE,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  })
  return shared
}

/** Writes a full-page screenshot of `page` as test-artifacts/screenshots/NAME.png, when asked to (`SCREENSHOTS=1`). */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (!WRITE_SCREENSHOTS) return
  await mkdir(SCREENSHOTS, { recursive: true })
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true })
}

let axeSource: Promise<string> | undefined

/** The serious and critical accessibility violations axe-core finds on the page, as `id: targets`. */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  axeSource ??= readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')
  // Evaluated through the DevTools protocol: the page's own policy forbids injected scripts.
  await page.evaluate(await axeSource)
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: Array<{ id: string; impact: string | null; nodes: Array<{ target: unknown }> }> }> } }).axe
    return (await axe.run()).violations
  })
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`)
}
