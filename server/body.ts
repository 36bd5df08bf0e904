import { Ajv2020 } from 'ajv/dist/2020.js'
import type { ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'
import { IncomingMessage } from 'node:http'
import type { Context, MiddlewareHandler } from 'hono'
import apiSchema from '../schemas/api.schema.json' with { type: 'json' }
import { EngineError, fieldProblems } from '../engine/index.js'
import type { AppEnv } from './env.js'
import { checkJsonDepth } from './request-limits.js'
import type { BodyTypes } from './request-types.js'

const addFormats = addFormatsModule.default
const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, logger: false })
addFormats(ajv)
// Query parameters' rejections, in the same file (see server/query.ts): an annotation here.
ajv.addKeyword({ keyword: 'x-message', schemaType: 'string' })
ajv.addSchema(apiSchema)

/** Request body shapes of `schemas/api.schema.json`. */
export type RequestShape = keyof BodyTypes

// Compiled when the server loads, so a schema mistake stops the start rather than a request.
// Every shape of BodyTypes, by construction: a shape added there and not here does not compile.
const SHAPES = Object.keys({
  StartRequest: true, ActRequest: true, TerminateRequest: true, AdvanceRequest: true, RetryRequest: true, ConsoleSessionRequest: true,
  WebhookEndpointCreateRequest: true, WebhookEndpointUpdateRequest: true, WebhookSecretRotateRequest: true, WebhookResendRequest: true,
  ProcessCheckRequest: true, ProposalSubmitRequest: true, ProposalAmendRequest: true, ProposalReturnRequest: true, ProposalDecisionRequest: true,
} satisfies Record<RequestShape, true>) as RequestShape[]
const validators = new Map(SHAPES.map((shape) => [shape, ajv.getSchema(`${apiSchema.$id}#/$defs/${shape}`) as ValidateFunction] as const))
function validatorOf(shape: RequestShape): ValidateFunction {
  return validators.get(shape) as ValidateFunction
}

/**
 * Reads the body of a request that may carry one, up to `maxBytes` (else `request.too-large`,
 * from the declared Content-Length before reading, or as soon as a chunked body goes past it),
 * and keeps it as text for the handlers ({@link bodyText}). Under @hono/node-server it reads the
 * Node.js request directly: going through the Fetch API's Request and its web stream costs more
 * than the rest of an act's HTTP handling.
 */
export function bufferBody(maxBytes: number): MiddlewareHandler<AppEnv> {
  const tooLarge = (): EngineError => new EngineError('request.too-large', `Request bodies are limited to ${maxBytes} bytes.`)
  return async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD' || c.get('body') !== undefined) return next()
    c.set('body', decoder.decode(await readBodyBytes(c, maxBytes, tooLarge)))
    return next()
  }
}

/**
 * The request's body as bytes, up to `maxBytes`: `tooLarge()` is thrown from the declared
 * Content-Length before reading, or as soon as a chunked body goes past it.
 */
export async function readBodyBytes(c: Context<AppEnv>, maxBytes: number, tooLarge: () => Error): Promise<Uint8Array> {
  const declared = c.req.header('content-length')
  if (declared !== undefined && Number(declared) > maxBytes) throw tooLarge()
  const incoming = (c.env as { incoming?: unknown } | undefined)?.incoming
  // Stopping early must not destroy the Node.js request: @hono/node-server then drains the
  // rest of a refused body after the answer, and the connection stays usable.
  const source: AsyncIterable<Uint8Array> | null = incoming instanceof IncomingMessage
    ? incoming.iterator({ destroyOnReturn: false })
    : c.req.raw.body
  const chunks: Uint8Array[] = []
  let size = 0
  if (source) {
    for await (const chunk of source) {
      size += chunk.byteLength
      if (size > maxBytes) throw tooLarge()
      chunks.push(chunk)
    }
  }
  return Buffer.concat(chunks, size)
}

const decoder = new TextDecoder()

/** The request's body as text, read by {@link bufferBody} ('' when it has none). */
export function bodyText(c: Context<AppEnv>): string {
  return c.get('body') ?? ''
}

/**
 * Reads a JSON request body and checks it against its schema: 415 for another media type, 400
 * for JSON nested too deeply (`request.too-deep`, checked before parsing) or malformed JSON (with
 * the parser's position), 422 with every failing field otherwise. An empty body reads as `{}`.
 */
export function readBody<S extends RequestShape>(c: Context<AppEnv>, shape: S): BodyTypes[S] {
  const text = bodyText(c)
  const type = c.req.header('content-type') ?? ''
  if (text.trim() !== '' && !/^application\/([\w.+-]+\+)?json\b/i.test(type)) {
    throw new EngineError('request.unsupported-media-type', `Send the body as application/json (got "${type || 'no Content-Type'}").`)
  }
  let body: unknown = {}
  if (text.trim() !== '') {
    checkJsonDepth(text)
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
  return body as BodyTypes[S]
}
