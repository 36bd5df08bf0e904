// Bundles one entry point of the sources (and the packages it imports) into one module of a build
// made by bin/build.js, and what it imports dynamically into a few chunks beside it, so that a
// process starting from it reads and links a few modules rather than about a thousand: the command
// line's start costs about 0.45 s of CPU instead of 1.1 s, and 0.2 s for what needs none of the
// engine (`--version`, `--help`). The files
// of the build stay beside it, as they are: what the bundle reads from disk (the built-in
// processes, the console's browser code, the SQLite writer thread) it finds where each source
// file of it would have found them, since `import.meta.url` in our own sources is rewritten to
// the URL that file has in the build. Packages that must stay files of their own are left out:
// native ones, and esbuild, which runs its own binary.
import { readFileSync } from 'node:fs'
import { basename, dirname, extname, join, relative, sep } from 'node:path'
import { build } from 'esbuild'

const EXTERNAL = ['better-sqlite3', 'esbuild', 'pg-native']

/**
 * Bundles `entry` (a source file under `root`) into `outfile`, which must lie in the build `out`
 * made of `root`'s sources (outbase `root`).
 * @param {{ root: string, out: string, entry: string, outfile: string, target: string, tsconfig: string }} options
 */
export async function bundleEntry({ root, out, entry, outfile, target, tsconfig }) {
  const ownUrl = {
    name: 'own-import-meta-url',
    setup(build) {
      build.onLoad({ filter: /\.tsx?$/ }, (args) => {
        if (args.path.includes(`${sep}node_modules${sep}`) || relative(root, args.path).startsWith('..')) return undefined
        const text = readFileSync(args.path, 'utf8')
        if (!text.includes('import.meta.url')) return undefined
        const built = join(out, relative(root, args.path)).slice(0, -extname(args.path).length) + '.js'
        const path = relative(dirname(outfile), built).split(sep).join('/')
        const url = `new URL(${JSON.stringify(path.startsWith('.') ? path : `./${path}`)}, import.meta.url).href`
        return { contents: text.replaceAll('import.meta.url', url), loader: extname(args.path).slice(1) }
      })
    },
  }
  // What the entry imports dynamically (each command of the command line imports what it needs)
  // goes into chunks beside it, loaded when imported: `--version` reads 140 KB rather than 4 MB.
  // In the same folder, so that the paths `import.meta.url` was rewritten to hold in every chunk.
  const name = basename(outfile, '.js')
  await build({
    entryPoints: { [name]: entry }, outdir: dirname(outfile), splitting: true, chunkNames: `${name}-[hash]`,
    bundle: true, format: 'esm', platform: 'node', target, sourcemap: true, tsconfig,
    external: EXTERNAL, plugins: [ownUrl], logLevel: 'warning',
    // The CommonJS packages bundled call require() for Node.js's own modules.
    banner: { js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" },
  })
}
