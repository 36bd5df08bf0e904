import type { Kysely } from 'kysely'
import type { Database } from './database.js'

/** Keys the engine makes for itself, kept in the database so that every server on it shares them. */
export class KeyRepository {
  readonly #db: Kysely<Database>
  constructor(db: Kysely<Database>) {
    this.#db = db
  }

  /**
   * The key named `name`: made with `make` the first time it is asked for, by whichever server
   * asks first (another's key made at the same moment is dropped), and the same from then on.
   */
  async get(name: string, make: () => string): Promise<string> {
    const find = (): Promise<{ value: string } | undefined> => this.#db.selectFrom('engine_key').select('value').where('name', '=', name).executeTakeFirst()
    const found = await find()
    if (found) return found.value
    await this.#db.insertInto('engine_key').values({ name, value: make() }).onConflict((oc) => oc.column('name').doNothing()).execute()
    return (await find() as { value: string }).value
  }
}
