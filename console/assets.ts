import { readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createHash } from 'node:crypto'
import { serveStatic } from '@hono/node-server/serve-static'
import { build } from 'esbuild'
import { Hono } from 'hono'
import type { Context } from 'hono'
import type { AppEnv } from '../server/env.js'

/** Where the console's scripts and styles are served from: this server, never a CDN. */
export const ASSETS = '/console/assets'

/** The console's browser code and styles, beside this file in the sources and in a build. */
const BROWSER_DIR = fileURLToPath(new URL('./browser/', import.meta.url))
/** Mermaid's browser build: its ES module and the chunks it loads, only when a diagram is opened. */
const MERMAID_DIR = dirname(fileURLToPath(import.meta.resolve('mermaid')))
const MERMAID_FILE = /^(mermaid\.esm\.min\.mjs|chunks\/mermaid\.esm\.min\/[\w.-]+\.mjs)$/

interface Asset { readonly body: string; readonly etag: string; readonly type: string }

const ofText = (body: string, type: string): Asset => ({ body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` })

/**
 * A browser script: console/browser/ENTRY and what it imports, bundled and minified by esbuild
 * the first time it is asked for (tens of milliseconds; the studio's, with CodeMirror, more),
 * then kept.
 */
const scripts = new Map<string, Promise<Asset>>()
function bundled(entry: string): () => Promise<Asset> {
  return () => {
    let script = scripts.get(entry)
    if (!script) {
      script = build({
        entryPoints: [join(BROWSER_DIR, entry)], bundle: true, write: false, format: 'esm', minify: true,
        target: ['chrome110', 'firefox110', 'safari16'], tsconfig: join(BROWSER_DIR, 'tsconfig.json'), logLevel: 'silent',
      }).then((result) => ofText(result.outputFiles[0]?.text ?? '', 'text/javascript; charset=utf-8'))
      scripts.set(entry, script)
    }
    return script
  }
}

let styles: Promise<Asset> | undefined
function styleSheet(): Promise<Asset> {
  styles ??= readFile(join(BROWSER_DIR, 'console.css'), 'utf8').then((css) => ofText(css, 'text/css; charset=utf-8'))
  return styles
}

/** Routes of the console's assets; revalidated by ETag, so a new version is seen at once. */
export function assetRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  const serve = (load: () => Promise<Asset>) => async (c: Context<AppEnv>) => {
    const asset = await load()
    if (c.req.header('if-none-match') === asset.etag) return c.body(null, 304, { ETag: asset.etag })
    return c.body(asset.body, 200, { 'Content-Type': asset.type, ETag: asset.etag, 'Cache-Control': 'no-cache' })
  }
  app.get('/console.js', serve(bundled('main.ts')))
  // The studio's editor (CodeMirror), only on the studio's pages.
  app.get('/studio.js', serve(bundled('studio-main.ts')))
  app.get('/console.css', serve(styleSheet))
  app.get('/mermaid/*', async (c, next) => {
    const file = c.req.path.slice(`${ASSETS}/mermaid/`.length)
    if (!MERMAID_FILE.test(file)) return next()
    c.header('Cache-Control', 'public, max-age=86400')
    return serveStatic<AppEnv>({ root: MERMAID_DIR, path: file })(c, next)
  })
  return app
}
