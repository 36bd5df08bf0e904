import type { CompiledQuery, Compilable, Kysely, QueryResult } from 'kysely'
import type { Database } from './database.js'

const SLOT = '\u0000slot:'

/** A named placeholder in a query built by {@link prepared}: `where('id', '=', slot('id'))`. */
export function slot<T = string>(name: string): T {
  return `${SLOT}${name}` as T
}

/** A query compiled once, run with new values in its slots. */
export class PreparedQuery<R> {
  readonly #compiled: CompiledQuery<R>
  /** For each bound parameter: the slot it takes its value from, or undefined for a constant. */
  readonly #slots: ReadonlyArray<string | undefined>
  #orderChecked = false

  constructor(query: Compilable<R>) {
    this.#compiled = query.compile()
    this.#slots = this.#compiled.parameters.map((p) => typeof p === 'string' && p.startsWith(SLOT) ? p.slice(SLOT.length) : undefined)
  }

  /** The query's SQL with `values` in its slots. */
  bind(values: Readonly<Record<string, unknown>>): { readonly sql: string; readonly parameters: readonly unknown[] } {
    const parameters = this.#compiled.parameters.map((p, i) => {
      const name = this.#slots[i]
      return name === undefined ? p : values[name]
    })
    return { sql: this.#compiled.sql, parameters }
  }

  /** Runs the query through `db` (the database or a transaction) with `values` in its slots. */
  execute(db: Kysely<Database>, values: Readonly<Record<string, unknown>>): Promise<QueryResult<R>> {
    return db.executeQuery({ ...this.#compiled, parameters: this.bind(values).parameters })
  }

  /**
   * The query's SQL with `values` bound in the order the query binds its slots: for many values
   * (a multi-row insert), without naming each. `order` names the slot each value is meant for;
   * it is checked against the compiled query the first time, so a query builder that reorders
   * columns fails loudly instead of binding values to the wrong ones.
   */
  bindInOrder(values: readonly unknown[], order: () => readonly string[]): { readonly sql: string; readonly parameters: readonly unknown[] } {
    if (!this.#orderChecked) {
      if (this.#slots.includes(undefined)) throw new Error('This query binds constants besides its slots: bind them by name.')
      const expected = order()
      if (expected.length !== this.#slots.length || expected.some((name, i) => name !== this.#slots[i])) {
        throw new Error(`The query binds ${this.#slots.join(', ')}; the values given are for ${expected.join(', ')}.`)
      }
      this.#orderChecked = true
    }
    if (values.length !== this.#slots.length) throw new RangeError(`This query binds ${this.#slots.length} slots; ${values.length} values were given.`)
    return { sql: this.#compiled.sql, parameters: values }
  }
}

/**
 * Prepared queries by database (the SQL text depends on nothing else), then by name. Kysely
 * exposes no public handle on a database's dialect, so each opened database (a store holds one)
 * keeps its own: the hot queries are compiled once per store.
 */
const cache = new WeakMap<Kysely<Database>, Map<string, PreparedQuery<unknown>>>()

/**
 * The hot queries, built and compiled once per database: Kysely builds and compiles a query on
 * every call, which costs about as much as SQLite running a small statement. `name` must say
 * everything that shapes the SQL (e.g. how many rows an insert has). `db` is the database, not a
 * transaction (each transaction is a new object: its queries would never be found again); a
 * prepared query runs in a transaction all the same.
 */
export function prepared<R>(db: Kysely<Database>, name: string, build: (db: Kysely<Database>) => Compilable<R>): PreparedQuery<R> {
  if (db.isTransaction) throw new Error(`Prepared query "${name}": build it on the database, not a transaction.`)
  let queries = cache.get(db)
  if (!queries) cache.set(db, queries = new Map())
  let query = queries.get(name)
  if (!query) {
    query = new PreparedQuery<unknown>(build(db))
    queries.set(name, query)
  }
  return query as PreparedQuery<R>
}
