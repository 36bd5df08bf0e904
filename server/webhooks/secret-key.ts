import { chmodSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { SecretBox, parseSecretKey } from '../../engine/index.js'

/** Where the key that seals webhook secrets comes from (see ServerConfig.secretKey). */
export type SecretKeySource =
  | { readonly kind: 'value'; readonly text: string; readonly origin: string }
  | { readonly kind: 'file'; readonly path: string; readonly create: boolean }

/**
 * The box sealing webhook secrets under the configured key: a value, a key file, or the default
 * key file, made (32 random bytes, readable by its owner only) the first time a server starts.
 * Several servers starting at once on one directory make one file: it is written aside and
 * linked into place, which fails for all but the first. Throws with a clear message for a key
 * that cannot be used.
 */
export function loadSecretKey(source: SecretKeySource): SecretBox {
  if (source.kind === 'value') return new SecretBox(parsed(source.text, source.origin))
  if (source.create) createKeyFile(source.path)
  let text: string
  try {
    text = readFileSync(source.path, 'utf8')
  } catch (error) {
    throw new Error(`The secret key file ${source.path} cannot be read (${(error as Error).message}).`, { cause: error })
  }
  return new SecretBox(parsed(text, source.path))
}

function parsed(text: string, origin: string): Buffer {
  try {
    return parseSecretKey(text)
  } catch (error) {
    throw new Error(`${origin}: ${(error as Error).message}`, { cause: error })
  }
}

function createKeyFile(path: string): void {
  mkdirSync(dirname(path), { recursive: true })
  const aside = `${path}.${process.pid}.new`
  writeFileSync(aside, `${SecretBox.newKey().toString('base64')}\n`, { mode: 0o600 })
  chmodSync(aside, 0o600)
  try {
    linkSync(aside, path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
  } finally {
    rmSync(aside, { force: true })
  }
}
