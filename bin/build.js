#!/usr/bin/env node
// Compiles the sources to JavaScript (`dist/` by default, or the directory given) with the
// built-in processes beside them: what `npm start` serves, with no TypeScript loader at run time
// (it costs about 40 MB of memory). esbuild (a production dependency, unlike TypeScript) strips
// the types of each file on its own, keeping the layout and the imports as written (JSON
// imports included, so schemas/ and package.json are copied beside them). The command line,
// which `npm start` runs, is then bundled into one module (bin/bundle.js), over its own file.
// Type checking is `npm test`'s job (`npm run typecheck`). The build is made in a new directory beside the target and
// moved into place, so a server starting meanwhile never loads half of one. Only an earlier
// build is ever replaced (a directory without this script's marker file is refused, whatever it
// is), and nothing is removed but what this run created or replaced.
// Usage: node bin/build.js [OUT_DIR]
import { copyFileSync, cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { build } from 'esbuild'
import { bundleEntry } from './bundle.js'

const MARKER = '.delivery-center-build'
const root = resolve(import.meta.dirname, '..')
const out = resolve(process.argv[2] ?? join(root, 'dist'))
const outside = (from, to) => {
  const path = relative(from, to)
  return path === '..' || path.startsWith(`..${sep}`)
}
const refuse = (why) => {
  console.error(`Refusing to build into ${out}: ${why}`)
  process.exit(2)
}
if (!outside(out, root)) refuse(`it holds the sources (${root}).`)
if (existsSync(out) && !existsSync(join(out, MARKER))) refuse(`it exists and is not an earlier build (no ${MARKER} in it); remove it yourself if it is one.`)

// What to compile: the `include` of tsconfig.build.json (folders and files), every .ts and .tsx
// file in them, but for its `exclude` (the console's browser code, bundled by the server itself).
const TSCONFIG = join(root, 'tsconfig.build.json')
const { include, exclude = [] } = JSON.parse(readFileSync(TSCONFIG, 'utf8'))
const excluded = new Set(exclude.map((path) => join(root, path)))
const sourcesOf = (path) => excluded.has(path) ? [] : statSync(path).isDirectory()
  ? readdirSync(path).flatMap((name) => sourcesOf(join(path, name)))
  : /\.tsx?$/.test(path) && !path.endsWith('.d.ts') ? [path] : []
const entryPoints = include.flatMap((path) => sourcesOf(join(root, path)))
// The oldest Node.js the package supports (its `engines`): for an older target esbuild would
// silently drop the `with { type: 'json' }` of JSON imports, which Node.js requires.
const target = `node${/\d+(\.\d+)*/.exec(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).engines.node)[0]}`

const fresh = mkdtempSync(`${out}.building-`)
let replaced
let built = false
try {
  await build({
    entryPoints, outbase: root, outdir: fresh, bundle: false, format: 'esm', platform: 'node', target,
    sourcemap: true, tsconfig: TSCONFIG, logLevel: 'warning',
  })
  // The command line (and so `npm start`) as one module: see bin/bundle.js. So is each worker
  // thread's module (every `startWorker(import.meta.url, NAME)` of the sources: NAME.ts beside
  // the file calling it), which a thread then starts by reading one file rather than hundreds.
  const threads = entryPoints.flatMap((file) => [...readFileSync(file, 'utf8').matchAll(/startWorker\(import\.meta\.url, '([\w-]+)'/g)]
    .map(([, name]) => join(dirname(file), `${name}.ts`)))
  await Promise.all([join(root, 'bin', 'cli.ts'), ...threads].map((entry) =>
    bundleEntry({ root, out: fresh, entry, outfile: join(fresh, relative(root, entry)).replace(/\.ts$/, '.js'), target, tsconfig: TSCONFIG })))
  cpSync(join(root, 'schemas'), join(fresh, 'schemas'), { recursive: true })
  // Imported by the OpenAPI document, and it makes the .js files ES modules wherever the build is.
  copyFileSync(join(root, 'package.json'), join(fresh, 'package.json'))
  cpSync(join(root, 'processes'), join(fresh, 'processes'), { recursive: true })
  // The console's browser code and styles, bundled and served by the server as they are asked for.
  for (const path of exclude) cpSync(join(root, path), join(fresh, path), { recursive: true })
  // Built outside this checkout (tests, benchmarks): its imports resolve from this checkout's packages.
  if (outside(root, out)) symlinkSync(join(root, 'node_modules'), join(fresh, 'node_modules'), 'dir')
  writeFileSync(join(fresh, MARKER), `built from ${root}\n`)
  if (existsSync(out)) {
    // A new empty name for the earlier build, so that nothing already there is touched.
    const aside = mkdtempSync(`${out}.old-`)
    rmdirSync(aside)
    renameSync(out, aside)
    replaced = aside
  }
  renameSync(fresh, out)
  built = true
} finally {
  if (existsSync(fresh)) rmSync(fresh, { recursive: true, force: true })
  // The earlier build is removed once the new one is in place, or else put back.
  if (replaced && built) rmSync(replaced, { recursive: true, force: true })
  else if (replaced) renameSync(replaced, out)
}
