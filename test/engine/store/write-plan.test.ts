import { describe, expect, it } from 'vitest'
import { EngineError } from '../../../engine/index.js'
import { writeGroup } from '../../../engine/store/write-plan.js'
import type { GroupTransaction, WritePlan } from '../../../engine/store/write-plan.js'

/** A transaction that records its statements, fails those whose SQL says `fail`, and whose rollback may fail too. */
function recorder(options: { rollbackFails?: boolean } = {}): { log: string[]; begin: () => Promise<GroupTransaction> } {
  const log: string[] = []
  const transaction: GroupTransaction = {
    run: (sql) => {
      log.push(sql)
      return sql.startsWith('fail') ? Promise.reject(new Error(`refused: ${sql}`)) : Promise.resolve(sql === 'no rows' ? 0 : 1)
    },
    commit: () => Promise.resolve(void log.push('commit')),
    rollback: () => {
      log.push('rollback')
      return options.rollbackFails ? Promise.reject(new Error('cannot rollback - no transaction is active')) : Promise.resolve()
    },
  }
  return { log, begin: () => Promise.resolve(void log.push('begin')).then(() => transaction) }
}

const plan = (...sql: string[]): WritePlan => sql.map((s) => ({ sql: s, parameters: [] }))

describe('writing a group of plans', () => {
  it('writes without savepoints first; when a unit fails, writes the group again with a savepoint per unit', async () => {
    const { log, begin } = recorder()
    const outcomes = await writeGroup(begin, [plan('a'), plan('b', 'fail b'), plan('c')])
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true])
    expect(log).toEqual([
      'begin', 'a', 'b', 'fail b', 'rollback',
      'begin', 'savepoint unit', 'a', 'release savepoint unit',
      'savepoint unit', 'b', 'fail b', 'rollback to savepoint unit', 'release savepoint unit',
      'savepoint unit', 'c', 'release savepoint unit', 'commit',
    ])
  })

  it('refuses a unit whose statement changes other than the rows it expects, with the expectation\'s code', async () => {
    const { begin } = recorder()
    const [outcome] = await writeGroup(begin, [[{ sql: 'no rows', parameters: [], expect: { rows: 1, code: 'conflict.stale', message: 'changed meanwhile' } }]])
    expect(outcome?.ok).toBe(false)
    const error = (outcome as { error: unknown }).error
    expect(error).toBeInstanceOf(EngineError)
    expect(error).toMatchObject({ code: 'conflict.stale', message: 'changed meanwhile' })
  })

  it('gives up with the unit\'s own error, not the rollback\'s, when the rollback after it fails too', async () => {
    const { log, begin } = recorder({ rollbackFails: true })
    await expect(writeGroup(begin, [plan('fail disk full')])).rejects.toThrow('refused: fail disk full')
    await expect(writeGroup(begin, [plan('a'), plan('fail disk full')])).rejects.toThrow('refused: fail disk full')
    expect(log.filter((sql) => sql === 'begin')).toHaveLength(2) // no second attempt on a connection in doubt
  })
})
