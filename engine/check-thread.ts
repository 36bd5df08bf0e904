// A thread that checks definitions off the event loop: it compiles each text it is sent against
// its bases and runs its scenarios (checkTexts), answering with what the check found; and reads
// the base a text names in `extends`, before its bases are looked up. Started by
// threadedChecker() (check-threads.ts); speaks the messages defined there.
import { parentPort } from 'node:worker_threads'
import { checkTexts } from './definition-check.js'
import { extendsOf } from './definition/derive.js'
import type { CheckReply, CheckRequest, CheckThreadReady } from './check-threads.js'

const port = parentPort
if (!port) throw new Error('check-thread.ts runs as a worker thread, started by threadedChecker().')

// A first check compiles what every check uses (the language's schema, the formats): a check's
// time, which counts from the ready message, is then its own.
await checkTexts({ text: 'id: warm-up\nversion: 1\ntitle: Warm-up\nroles: [party]\nsteps:\n  - { id: only, title: Only, actor: party, actions: { done: { title: Done, end: done } } }\n', file: 'warm-up.yaml', bases: [] })
port.postMessage({ ready: true } satisfies CheckThreadReady)

port.on('message', (request: CheckRequest) => {
  if ('extendsOf' in request) {
    port.postMessage({ id: request.id, extends: extendsOf(request.extendsOf) ?? null } satisfies CheckReply)
    return
  }
  void checkTexts(request.input).then(
    (result) => port.postMessage({ id: request.id, result } satisfies CheckReply),
    (error: unknown) => port.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) } satisfies CheckReply),
  )
})
