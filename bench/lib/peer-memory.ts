import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { createBpmnPeer } from '../peers/bpmn.js'
import { parkXStateActor } from '../peers/xstate.js'

/** Heap bytes per waiting instance of each in-memory peer, and the length of its serialised state. */
export interface PeerMemory {
  readonly bpmnHeap: number
  readonly bpmnState: number
  readonly xstateHeap: number
  readonly xstateState: number
}

/**
 * Parks instances of each peer waiting on the last task (timer pending), `count.bpmn` of
 * bpmn-engine's and `count.xstate` of XState's, and measures the heap they hold per instance,
 * then stops them. Each count must make what the JIT and the allocators keep meanwhile (tens of
 * KB) small beside what the instances hold: an XState actor holds a few KB, a bpmn-engine
 * instance hundreds.
 */
export async function measurePeerMemory(count: { readonly bpmn: number; readonly xstate: number }): Promise<PeerMemory> {
  let xstateState = 0
  const xstateHeap = await heapPerItem(count.xstate, () => Promise.resolve(parkXStateActor()), (actors) => {
    xstateState = JSON.stringify(actors[0]?.getPersistedSnapshot()).length
    for (const actor of actors) actor.stop()
    return Promise.resolve()
  })
  const peer = await createBpmnPeer()
  let bpmnState = 0
  const bpmnHeap = await heapPerItem(count.bpmn, () => peer.park(), async (engines) => {
    bpmnState = JSON.stringify(await engines[0]?.getState()).length
    for (const engine of engines) await engine.stop()
  })
  return { bpmnHeap, bpmnState, xstateHeap, xstateState }
}

/**
 * The heap `count` items hold, per item: the heap with them all alive less the heap once they are
 * stopped and dropped, each read after the event loop settles and a full GC. Measuring on the way
 * down leaves out what making the first item initialises once (code, caches), and whatever
 * another peer's shutdown frees in the meantime.
 */
async function heapPerItem<T>(count: number, make: () => Promise<T>, stop: (items: T[]) => Promise<void>): Promise<number> {
  const items: T[] = []
  for (let i = 0; i < count; i++) items.push(await make())
  const alive = await settledHeap()
  await stop(items)
  items.length = 0
  return (alive - await settledHeap()) / count
}

async function settledHeap(): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 0))
  gc()
  return process.memoryUsage().heapUsed
}

/**
 * A full garbage collection, so the heap is compared without garbage on either side. `gc` is a
 * global only under --expose-gc (as `npm run bench` runs); elsewhere (the smoke test) the flag is
 * set at run time and the function taken from a fresh context, where V8 then installs it.
 */
const gc: () => void = (globalThis as { gc?: () => void }).gc ?? (() => {
  setFlagsFromString('--expose-gc')
  return runInNewContext('gc') as () => void
})()
