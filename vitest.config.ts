import { configDefaults, defineConfig } from 'vitest/config'
import { SlowFirstSequencer } from './test/support/sequencer.js'

/** The benchmarks run at tiny scale: a suite of their own (`npm run test:bench`, which CI runs too). */
export const BENCH_SMOKE = 'test/bench-smoke.test.ts'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: [...configDefaults.exclude, BENCH_SMOKE],
    // Suites that spawn OS processes or open SQLite files run in child processes; files run in parallel.
    pool: 'forks',
    // Each worker process runs file after file, loading the sources (the engine, the server, ajv
    // compiling their schemas) once rather than once per file: about a third less CPU for the
    // whole run. So a test file must leave no global state changed behind it (environment
    // variables, mocks, fake timers, listeners on process): none does, each opens and closes
    // its own stores, servers and child processes.
    isolate: false,
    // Many suites spend much of their time waiting on child processes, sockets and fsync: three
    // workers keep both cores of the machines this runs on busy (about a third less time than two).
    maxWorkers: 3,
    // The slowest files first, so no long one is left running alone at the end.
    sequence: { sequencer: SlowFirstSequencer },
    testTimeout: 30_000,
    // One temporary directory for the run, removed at its end; the command line compiled once for
    // the tests that run it as a child process.
    globalSetup: ['test/support/temp-root.ts', 'test/support/built-cli.ts'],
  },
})
