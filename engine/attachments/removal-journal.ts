import { randomUUID } from 'node:crypto'
import { mkdir, open, readdir, readFile, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'

/** An upload whose row is about to be deleted: its id, and the storage key of its file. */
export type PlannedRemoval = Readonly<{ id: string; storageKey: string }>

/** One journal: the uploads a sweep set out to delete, under the journal's file name. */
export type JournalEntry = Readonly<{ name: string; removals: readonly PlannedRemoval[] }>

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/**
 * Journals of the uploads a sweep is deleting, one file each in `.removing/` inside the storage
 * directory, so that a crash between deleting their rows and deleting their files leaks no file.
 * Rows go first, so no row is ever left pointing to a missing file that could be attached; the
 * file of a journaled upload whose row is gone can then be deleted by whoever reads the journal,
 * later or on another server. Their own directory keeps reading them cheap, however many files
 * the storage holds, and out of the way of storage keys and `.part` files.
 */
export class RemovalJournal {
  readonly #dir: string
  constructor(storageDir: string) {
    this.#dir = join(storageDir, '.removing')
  }

  /** Writes a journal of `removals` to disk (synced before it returns); returns its name. */
  async write(removals: readonly PlannedRemoval[]): Promise<string> {
    await mkdir(this.#dir, { recursive: true })
    const name = randomUUID()
    const handle = await open(join(this.#dir, name), 'wx')
    try {
      await handle.writeFile(removals.map((r) => `${r.id} ${r.storageKey}\n`).join(''))
      await handle.sync()
    } finally {
      await handle.close()
    }
    return name
  }

  /**
   * The journals last written before `beforeMs` (epoch milliseconds), by this server or another
   * one sharing the directory: pass a time before which any sweep still running would have
   * finished its batch, so a journal whose rows another server is deleting right now is left to it.
   */
  async pending(beforeMs: number): Promise<JournalEntry[]> {
    const names = await readdir(this.#dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return []
      throw err
    })
    const journals: JournalEntry[] = []
    for (const name of names) {
      const path = join(this.#dir, name)
      // Gone meanwhile: finished by its sweep.
      const text = await stat(path).then((s) => s.mtimeMs < beforeMs ? readFile(path, 'utf8') : undefined).catch(() => undefined)
      if (text === undefined) continue
      // A journal cut short by a crash while it was written has had none of its rows deleted; a
      // line cut short is skipped all the same.
      const removals = text.split('\n').map((line) => line.split(' '))
        .flatMap(([id = '', storageKey = '']) => UUID.test(id) && UUID.test(storageKey) ? [{ id, storageKey }] : [])
      journals.push({ name, removals })
    }
    return journals
  }

  /** Deletes the journal `name` once its work is done (already gone is fine). */
  async finish(name: string): Promise<void> {
    await rm(join(this.#dir, name), { force: true })
  }
}
