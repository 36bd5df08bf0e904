import type { JsonSchema, ProcessDefinition } from './definition.js'
import { COMPOSING } from './schema-faults.js'

/** Names declared one level down; `closed` when no other can exist (else only a near miss of one is reported). */
export interface DeclaredNames {
  readonly names: readonly string[]
  readonly closed: boolean
  /** The schema of each name, where the names come from a schema's `properties` (a name two schemas declare is left out). */
  readonly fields?: Readonly<Record<string, unknown>>
}

/**
 * What a field holds when a name is read inside it: the names of an object (or of those a list
 * holds), or a type that holds none (`inList`: a list of them).
 */
export type Within = DeclaredNames | { readonly scalar: string; readonly inList: boolean } | undefined

/** What expressions of a process see, one level down: the names the process declares, or undefined where it declares none. */
export interface ExpressionNames {
  readonly context: DeclaredNames | undefined
  readonly parameters: DeclaredNames
  /** Every name any action records. */
  readonly values: DeclaredNames
  /** How many actions record each value. */
  readonly recorders: ReadonlyMap<string, number>
  /** The names of the process's `duration` parameters. */
  readonly durations: readonly string[]
  /** The names of the process's `date-time` parameters. */
  readonly instants: readonly string[]
  /** The type of each of the process's parameters. */
  readonly parameterTypes: ReadonlyMap<string, string>
  /** Step ids: `data.STEP` is the latest submission in a step. */
  readonly data: DeclaredNames
  /** Roles: `parties.ROLE` is the subject in that role. */
  readonly parties: DeclaredNames
  /** The input fields of each step's actions together: `data.STEP.inputs.X`. */
  readonly stepInputs: ReadonlyMap<string, DeclaredNames | undefined>
  /** The actions of each step: `data.STEP.action` is one of them. */
  readonly stepActions: ReadonlyMap<string, readonly string[]>
  /** The attachment slots of each step's actions together: `data.STEP.attachments.SLOT`. */
  readonly stepSlots: ReadonlyMap<string, readonly string[]>
}

/** The names the expressions of `def` may read. */
export function expressionNames(def: ProcessDefinition): ExpressionNames {
  return {
    context: declaredNames(def.context),
    parameters: { names: Object.keys(def.parameters ?? {}), closed: true },
    values: { names: [...new Set(def.steps.flatMap((step) => Object.values(step.actions).flatMap((action) => Object.keys(action.record ?? {}))))], closed: true },
    durations: Object.entries(def.parameters ?? {}).filter(([, parameter]) => parameter.type === 'duration').map(([name]) => name),
    instants: Object.entries(def.parameters ?? {}).filter(([, parameter]) => parameter.type === 'date-time').map(([name]) => name),
    parameterTypes: new Map(Object.entries(def.parameters ?? {}).map(([name, parameter]) => [name, String(parameter.type)])),
    recorders: def.steps.flatMap((step) => Object.values(step.actions).flatMap((action) => Object.keys(action.record ?? {})))
      .reduce((counts, name) => counts.set(name, (counts.get(name) ?? 0) + 1), new Map<string, number>()),
    data: { names: def.steps.map((step) => step.id), closed: true },
    parties: { names: [...def.roles], closed: true },
    stepInputs: new Map(def.steps.map((step) => [step.id, mergeNames(Object.values(step.actions).map((action) => declaredNames(action.inputs ?? { type: 'object' })))])),
    stepActions: new Map(def.steps.map((step) => [step.id, Object.keys(step.actions)])),
    stepSlots: new Map(def.steps.map((step) => [step.id, [...new Set(Object.values(step.actions).flatMap((action) => Object.keys(action.attachments ?? {})))]])),
  }
}

/**
 * The properties an object schema declares (what `inputs` and `context` may hold), closed when it
 * admits no others: the engine closes object schemas that say nothing of other properties
 * (`closeObjects`), so an object schema without `properties` admits none. Undefined where
 * composition (`allOf`, `$ref`, ...) leaves the names unknown.
 */
export function declaredNames(schema: JsonSchema | undefined): DeclaredNames | undefined {
  const properties = schema?.['properties'] ?? {}
  if (!schema || typeof properties !== 'object' || properties === null || Array.isArray(properties)) return undefined
  if (schema['type'] !== 'object' && !('properties' in schema)) return undefined
  if (COMPOSING.some((key) => key in schema)) return undefined
  const open = (schema['additionalProperties'] !== undefined && schema['additionalProperties'] !== false)
    || ['patternProperties', 'unevaluatedProperties'].some((key) => key in schema)
  return { names: Object.keys(properties), closed: !open, fields: properties as Readonly<Record<string, unknown>> }
}

/** What the field of `schema` holds, for a name read inside it (see {@link Within}): undefined where composition leaves it unknown. */
export function namesWithin(schema: unknown, inList = false): Within {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return undefined
  const node = schema as JsonSchema
  if (COMPOSING.some((key) => key in node)) return undefined
  // A path steps into each item of a list (`items.name`).
  if (node['type'] === 'array') return namesWithin(node['items'], true)
  if (typeof node['type'] === 'string' && SCALARS.includes(node['type'])) return { scalar: node['type'], inList }
  return declaredNames(node)
}

const SCALARS = ['string', 'number', 'integer', 'boolean', 'null']

function mergeNames(all: ReadonlyArray<DeclaredNames | undefined>): DeclaredNames | undefined {
  if (all.some((names) => names === undefined)) return undefined
  const known = all as readonly DeclaredNames[]
  // A field declared by one action only is known; declared by several, its schema is not one.
  const counts = new Map<string, number>()
  for (const names of known) for (const name of Object.keys(names.fields ?? {})) counts.set(name, (counts.get(name) ?? 0) + 1)
  const fields = Object.fromEntries(known.flatMap((names) => Object.entries(names.fields ?? {}).filter(([name]) => counts.get(name) === 1)))
  return { names: [...new Set(known.flatMap((names) => names.names))], closed: known.every((names) => names.closed), fields }
}
