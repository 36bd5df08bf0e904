import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Suites that spawn OS processes or open SQLite files are isolated per file; files run in parallel.
    pool: 'forks',
    // Many suites spend much of their time waiting on child processes, sockets and fsync: three
    // workers keep both cores of the machines this runs on busy (about a third less time than two).
    maxWorkers: 3,
    testTimeout: 30_000,
    // The command line compiled once for the tests that run it as a child process.
    globalSetup: ['test/support/built-cli.ts'],
  },
})
