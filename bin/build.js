#!/usr/bin/env node
// Compiles the sources to JavaScript (`dist/` by default, or the directory given) with the
// built-in processes beside them: what `npm start` serves, with no TypeScript loader at run time
// (it costs about 40 MB of memory). Usage: node bin/build.js [OUT_DIR]
import { execFileSync } from 'node:child_process'
import { cpSync, rmSync, symlinkSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, relative, resolve } from 'node:path'

const root = join(import.meta.dirname, '..')
const out = resolve(process.argv[2] ?? join(root, 'dist'))
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
rmSync(out, { recursive: true, force: true })
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', out], { stdio: 'inherit' })
cpSync(join(root, 'processes'), join(out, 'processes'), { recursive: true })
// Built outside this checkout (tests, benchmarks): its imports resolve from this checkout's packages.
if (relative(root, out).startsWith('..')) symlinkSync(join(root, 'node_modules'), join(out, 'node_modules'), 'dir')
