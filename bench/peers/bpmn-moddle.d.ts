/**
 * bpmn-moddle 9 ships no types, yet bpmn-engine's and moddle-context-serializer's types import
 * from it: the names they use, and the one call the bpmn-engine peer makes.
 */
declare module 'bpmn-moddle' {
  /** A parsed BPMN document (moddle context), opaque here. */
  export interface Definitions { readonly [key: string]: unknown }
  export interface BaseElement { readonly [key: string]: unknown }

  /** Reads BPMN 2.0 XML. */
  export default class BpmnModdle {
    constructor(options?: Record<string, unknown>)
    fromXML(xml: string): Promise<Definitions>
  }
}
