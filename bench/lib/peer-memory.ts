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
 * Parks `count` instances of each peer waiting on the last task (timer pending), and measures
 * the heap they hold per instance (between two full GCs), then stops them.
 */
export async function measurePeerMemory(count: number): Promise<PeerMemory> {
  const peer = await createBpmnPeer()
  const bpmn = await heapPerItem(count, () => peer.park())
  const bpmnState = JSON.stringify(await (bpmn.items[0] as Awaited<ReturnType<typeof peer.park>>).getState()).length
  for (const engine of bpmn.items) await engine.stop()
  const xstate = await heapPerItem(count, () => Promise.resolve(parkXStateActor()))
  const xstateState = JSON.stringify(xstate.items[0]?.getPersistedSnapshot()).length
  for (const actor of xstate.items) actor.stop()
  return { bpmnHeap: bpmn.perItem, bpmnState, xstateHeap: xstate.perItem, xstateState }
}

async function heapPerItem<T>(count: number, make: () => Promise<T>): Promise<{ items: T[]; perItem: number }> {
  collect()
  const before = process.memoryUsage().heapUsed
  const items: T[] = []
  for (let i = 0; i < count; i++) items.push(await make())
  collect()
  return { items, perItem: (process.memoryUsage().heapUsed - before) / count }
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

function collect(): void {
  gc()
}
