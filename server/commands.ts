import { readFileSync } from 'node:fs'
import { Engine, InvalidDefinitionError, Store, realClock } from '../engine/index.js'
import type { NewToken } from './auth.js'
import { createToken } from './auth.js'
import { describeDatabase, resolveDatabase } from './config.js'

/** `delivery-center token create`: creates a token in the database `serve` would use and returns it. */
export async function createTokenCommand(token: NewToken, db: string | undefined): Promise<string> {
  const store = await Store.open(resolveDatabase(db, process.env))
  try {
    return await createToken(store, token, realClock.now().toString())
  } finally {
    await store.close()
  }
}

/** `delivery-center migrate`: creates or upgrades the database and returns which one it was. */
export async function migrateCommand(db: string | undefined): Promise<string> {
  const database = resolveDatabase(db, process.env)
  const store = await Store.open(database)
  await store.close()
  return describeDatabase(database)
}

/**
 * `delivery-center register FILE...`: validates and registers process definitions in the database
 * `serve` uses. Returns one line per file: what was registered, or each located problem.
 */
export async function registerCommand(files: readonly string[], options: { db?: string; owner?: string }): Promise<{ lines: string[]; failed: number }> {
  const store = await Store.open(resolveDatabase(options.db, process.env))
  const engine = new Engine({ store, clock: realClock })
  const lines: string[] = []
  let failed = 0
  try {
    for (const file of files) {
      try {
        const { process: registered, created } = await engine.processes.register(readFileSync(file, 'utf8'), file, options.owner ? { owner: options.owner } : {})
        lines.push(`${file}: ${created ? 'registered' : 'already registered'} ${registered.id} v${registered.version}${options.owner ? ` (private to ${options.owner})` : ''}`)
      } catch (error) {
        failed++
        if (error instanceof InvalidDefinitionError) lines.push(...error.problems.map(String))
        else lines.push(`${file}: ${error instanceof Error ? error.message : String(error)}`)
      }
    }
  } finally {
    await store.close()
  }
  return { lines, failed }
}
