import { open } from 'node:fs/promises'
import type { StorageFs } from '../../engine/attachments/index.js'

/** A {@link StorageFs} over the real file system whose writes fail with `code` past `budget` bytes in all; raise `budget` to heal it. */
export type FailingFs = StorageFs & { budget: number }

/** The real file system, except that writes past `budget` bytes in all fail with `code`, as a full disk's do with ENOSPC. */
export function failingAfter(budget: number, code: string): FailingFs {
  const fs: FailingFs = {
    budget,
    open: async (path, flags, mode) => {
      const handle = await open(path, flags, mode)
      return {
        write: async (bytes, offset) => {
          if (bytes.byteLength - offset > fs.budget) throw Object.assign(new Error(`${code}: simulated write failure, write '${path}'`), { code, syscall: 'write' })
          fs.budget -= bytes.byteLength - offset
          return handle.write(bytes, offset)
        },
        close: () => handle.close(),
      }
    },
  }
  return fs
}
