import type { JsonSchema, ProcessDefinition } from './definition.js'

/** Names declared one level down; `closed` when no other can exist (else only a near miss of one is reported). */
export interface DeclaredNames {
  readonly names: readonly string[]
  readonly closed: boolean
}

/** What expressions of a process see, one level down: the names the process declares, or undefined where it declares none. */
export interface ExpressionNames {
  readonly context: DeclaredNames | undefined
  readonly parameters: DeclaredNames
  /** Every name any action records. */
  readonly values: DeclaredNames
  /** Step ids: `data.STEP` is the latest submission in a step. */
  readonly data: DeclaredNames
  /** Roles: `parties.ROLE` is the subject in that role. */
  readonly parties: DeclaredNames
  /** The input fields of each step's actions together: `data.STEP.inputs.X`. */
  readonly stepInputs: ReadonlyMap<string, DeclaredNames | undefined>
}

/** The names the expressions of `def` may read. */
export function expressionNames(def: ProcessDefinition): ExpressionNames {
  return {
    context: declaredNames(def.context),
    parameters: { names: Object.keys(def.parameters ?? {}), closed: true },
    values: { names: [...new Set(def.steps.flatMap((step) => Object.values(step.actions).flatMap((action) => Object.keys(action.record ?? {}))))], closed: true },
    data: { names: def.steps.map((step) => step.id), closed: true },
    parties: { names: [...def.roles], closed: true },
    stepInputs: new Map(def.steps.map((step) => [step.id, mergeNames(Object.values(step.actions).map((action) => declaredNames(action.inputs ?? { type: 'object' })))])),
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
  if (['allOf', 'anyOf', 'oneOf', 'if', '$ref', 'dependentSchemas'].some((key) => key in schema)) return undefined
  const open = (schema['additionalProperties'] !== undefined && schema['additionalProperties'] !== false)
    || ['patternProperties', 'unevaluatedProperties'].some((key) => key in schema)
  return { names: Object.keys(properties), closed: !open }
}

function mergeNames(all: ReadonlyArray<DeclaredNames | undefined>): DeclaredNames | undefined {
  if (all.some((names) => names === undefined)) return undefined
  const known = all as readonly DeclaredNames[]
  return { names: [...new Set(known.flatMap((names) => names.names))], closed: known.every((names) => names.closed) }
}
