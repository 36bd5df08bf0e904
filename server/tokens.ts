import { Store, realClock } from '../engine/index.js'
import type { NewToken } from './auth.js'
import { createToken } from './auth.js'
import { resolveDbFile } from './config.js'

/** `delivery-center token create`: creates a token in the database `serve` would use and returns it. */
export async function createTokenCommand(token: NewToken, db: string | undefined): Promise<string> {
  const store = await Store.openSqlite(resolveDbFile(db, process.env))
  try {
    return await createToken(store, token, realClock.now().toString())
  } finally {
    await store.close()
  }
}

/** `delivery-center migrate`: creates or upgrades the database and returns its file. */
export async function migrateCommand(db: string | undefined): Promise<string> {
  const file = resolveDbFile(db, process.env)
  const store = await Store.openSqlite(file)
  await store.close()
  return file
}
