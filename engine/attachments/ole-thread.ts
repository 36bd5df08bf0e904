import { parentPort, workerData } from 'node:worker_threads'
import { oleTypeOf } from './ole-type.js'

// A worker thread classifying one OLE compound file (see `oleTypeOfLarge` in ole-type.ts): it
// answers the file's type, or null, and ends.
parentPort?.postMessage(oleTypeOf(workerData as Uint8Array))
