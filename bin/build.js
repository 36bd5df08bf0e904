#!/usr/bin/env node
// Compiles the sources to JavaScript (`dist/` by default, or the directory given) with the
// built-in processes beside them: what `npm start` serves, with no TypeScript loader at run time
// (it costs about 40 MB of memory). The build is made beside the target and moved into place,
// so a server starting meanwhile never loads half of one. Only an earlier build is ever
// replaced: a directory without this script's marker file is refused, whatever it is.
// Usage: node bin/build.js [OUT_DIR]
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, relative, resolve } from 'node:path'

const MARKER = '.delivery-center-build'
const root = resolve(import.meta.dirname, '..')
const out = resolve(process.argv[2] ?? join(root, 'dist'))
const refuse = (why) => {
  console.error(`Refusing to build into ${out}: ${why}`)
  process.exit(2)
}
if (!relative(out, root).startsWith('..')) refuse(`it holds the sources (${root}).`)
if (existsSync(out) && !existsSync(join(out, MARKER))) refuse(`it exists and is not an earlier build (no ${MARKER} in it); remove it yourself if it is one.`)

const fresh = `${out}.building-${process.pid}`
const old = `${out}.old-${process.pid}`
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
try {
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', fresh], { stdio: 'inherit' })
  cpSync(join(root, 'processes'), join(fresh, 'processes'), { recursive: true })
  // Built outside this checkout (tests, benchmarks): its imports resolve from this checkout's packages.
  if (relative(root, out).startsWith('..')) symlinkSync(join(root, 'node_modules'), join(fresh, 'node_modules'), 'dir')
  writeFileSync(join(fresh, MARKER), `built from ${root}\n`)
  if (existsSync(out)) renameSync(out, old)
  renameSync(fresh, out)
} finally {
  rmSync(fresh, { recursive: true, force: true })
  rmSync(old, { recursive: true, force: true })
}
