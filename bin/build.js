#!/usr/bin/env node
// Compiles the sources to JavaScript (`dist/` by default, or the directory given) with the
// built-in processes beside them: what `npm start` serves, with no TypeScript loader at run time
// (it costs about 40 MB of memory). The build is made in a new directory beside the target and
// moved into place, so a server starting meanwhile never loads half of one. Only an earlier
// build is ever replaced (a directory without this script's marker file is refused, whatever it
// is), and nothing is removed but what this run created or replaced.
// Usage: node bin/build.js [OUT_DIR]
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, renameSync, rmdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, relative, resolve, sep } from 'node:path'

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

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
const fresh = mkdtempSync(`${out}.building-`)
let replaced
let built = false
try {
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', fresh], { stdio: 'inherit' })
  cpSync(join(root, 'processes'), join(fresh, 'processes'), { recursive: true })
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
