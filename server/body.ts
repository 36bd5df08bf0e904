import { Ajv2020 } from 'ajv/dist/2020.js'
import type { ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'
import type { Context } from 'hono'
import apiSchema from '../schemas/api.schema.json' with { type: 'json' }
import { EngineError, fieldProblems } from '../engine/index.js'

const addFormats = addFormatsModule.default
const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, logger: false })
addFormats(ajv)
ajv.addSchema(apiSchema)

/** Request body shapes of `schemas/api.schema.json`. */
export type RequestShape = 'StartRequest' | 'ActRequest' | 'TerminateRequest' | 'AdvanceRequest'

// Compiled when the server loads, so a schema mistake stops the start rather than a request.
const SHAPES: readonly RequestShape[] = ['StartRequest', 'ActRequest', 'TerminateRequest', 'AdvanceRequest']
const validators = new Map(SHAPES.map((shape) => [shape, ajv.getSchema(`${apiSchema.$id}#/$defs/${shape}`) as ValidateFunction] as const))
function validatorOf(shape: RequestShape): ValidateFunction {
  return validators.get(shape) as ValidateFunction
}

/**
 * Reads a JSON request body and checks it against its schema: 415 for another media type, 400
 * for malformed JSON (with the parser's position), 422 with every failing field otherwise.
 * An empty body reads as `{}`.
 */
export async function readBody<T>(c: Context, shape: RequestShape): Promise<T> {
  const text = await c.req.text()
  const type = c.req.header('content-type') ?? ''
  if (text.trim() !== '' && !/^application\/([\w.+-]+\+)?json\b/i.test(type)) {
    throw new EngineError('request.unsupported-media-type', `Send the body as application/json (got "${type || 'no Content-Type'}").`)
  }
  let body: unknown = {}
  if (text.trim() !== '') {
    try {
      body = JSON.parse(text)
    } catch (error) {
      throw new EngineError('request.malformed', `The body is not valid JSON: ${(error as Error).message}.`)
    }
  }
  const validate = validatorOf(shape)
  if (!validate(body)) {
    const fields = fieldProblems(validate.errors)
    throw new EngineError('request.invalid', `The ${shape} body is invalid: ${fields.map((f) => `${f.pointer || '/'} ${f.message}`).join('; ')}.`, { fields })
  }
  return body as T
}
