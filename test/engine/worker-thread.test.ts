import { afterEach, describe, expect, it } from 'vitest'
import { startWorker, THREADS_BUILD_VARIABLE } from '../../engine/worker-thread.js'

// A thread started from the TypeScript sources: from the build its variable names (as in this
// run, whose global set-up made one), else through tsx (as `npx delivery-center serve` does).

const OLE_TYPE = new URL('../../engine/attachments/ole-type.ts', import.meta.url).href
const built = process.env[THREADS_BUILD_VARIABLE]
afterEach(() => {
  process.env[THREADS_BUILD_VARIABLE] = built
})

/** What the OLE thread answers for bytes that are no OLE file (null), or the error it stopped with. */
async function answer(): Promise<unknown> {
  const worker = startWorker(OLE_TYPE, 'ole-thread', { workerData: new Uint8Array(16) })
  const outcome = await new Promise((resolve) => {
    worker.once('message', resolve)
    worker.once('error', resolve)
  })
  await worker.terminate()
  return outcome
}

describe('startWorker from the sources', () => {
  it('runs the bundled module of the build the variable names', async () => {
    expect(built).toBeTruthy()
    expect(await answer()).toBeNull()
    process.env[THREADS_BUILD_VARIABLE] = '/nonexistent/build'
    expect(String(await answer())).toContain("Cannot find module '/nonexistent/build/engine/attachments/ole-thread.js'")
  })

  it('runs the TypeScript module through tsx when no build is named', async () => {
    delete process.env[THREADS_BUILD_VARIABLE]
    expect(await answer()).toBeNull()
  })
})
