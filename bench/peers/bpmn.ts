import { EventEmitter } from 'node:events'
import { readFileSync } from 'node:fs'
import * as Elements from 'bpmn-elements'
import { Engine } from 'bpmn-engine'
import BpmnModdle from 'bpmn-moddle'
import serializer, { TypeResolver } from 'moddle-context-serializer'
import type { SerializableContext } from 'moddle-context-serializer'
import { DEMAND } from '../lib/deliveries.js'

/** The basic delivery as BPMN: three user tasks, a P14D boundary timer on the last one. */
export const BASIC_BPMN = readFileSync(new URL('./basic.bpmn', import.meta.url), 'utf8')

/** The peer's side of a benchmark: the basic delivery in bpmn-engine, in memory. */
export interface BpmnPeer {
  /**
   * Runs one instance to its end: execute, then signal the three tasks, serialising the state
   * with `getState()` (and `JSON.stringify`) after each step, as a durable host would have to.
   * Returns the length of the serialised state while it waited on the last task.
   */
  complete(): Promise<number>
  /** Starts an instance and leaves it waiting on the last task (its timer pending); stop it to release it. */
  park(): Promise<Engine>
}

/**
 * Parses the BPMN once into the serialisable context bpmn-engine documents as `sourceContext`,
 * so each instance skips the XML parse: the peer at its fastest.
 */
export async function createBpmnPeer(): Promise<BpmnPeer> {
  const moddle = await new BpmnModdle().fromXML(BASIC_BPMN)
  const sourceContext: SerializableContext = serializer(moddle, TypeResolver(Elements as unknown as Record<string, unknown>))
  const begin = async (): Promise<{ engine: Engine; signal: (id: string, payload?: object) => void }> => {
    const engine = new Engine({ name: 'basic', sourceContext })
    const execution = await engine.execute({ listener: new EventEmitter() })
    return { engine, signal: (id, payload = {}) => execution.signal({ id, ...payload }) }
  }
  const snapshot = async (engine: Engine): Promise<number> => JSON.stringify(await engine.getState()).length
  return {
    async complete() {
      const { engine, signal } = await begin()
      await snapshot(engine)
      signal('submit-demand', { form: DEMAND })
      await snapshot(engine)
      signal('project-delivery')
      const waiting = await snapshot(engine)
      signal('confirm-delivery')
      await snapshot(engine)
      if (engine.state !== 'idle') throw new Error(`bpmn-engine instance did not end (state ${engine.state}).`)
      return waiting
    },
    async park() {
      const { engine, signal } = await begin()
      signal('submit-demand', { form: DEMAND })
      signal('project-delivery')
      return engine
    },
  }
}
