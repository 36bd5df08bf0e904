import { Ajv2020 } from 'ajv/dist/2020.js'
import type { ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'
import { IncomingMessage } from 'node:http'
import type { Context } from 'hono'
import apiSchema from '../schemas/api.schema.json' with { type: 'json' }
import { EngineError, fieldProblems, INSTANT_RULE, listInstant } from '../engine/index.js'
import type { AppEnv } from './env.js'
import { checkJsonShape, checkJsonText } from './request-limits.js'
import type { BodyTypes } from './request-types.js'

const addFormats = addFormatsModule.default
// The schema is ours and checked against the meta-schema by test/schemas/: not again at every start.
const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, logger: false, validateSchema: false })
addFormats(ajv)
// ajv-formats' `date-time` takes any number of fraction digits and any year, which Temporal or the
// stored instants' text order cannot: exactly the instants the engine reads, as for query parameters.
ajv.addFormat('date-time', { type: 'string', validate: (text: string) => listInstant(text) !== undefined })
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

/** Rules about a whole object, whose words from ajv ("must NOT be valid") say nothing of what to send. */
const OBJECT_RULES = new Set(['not', 'minProperties', 'maxProperties', 'oneOf', 'anyOf'])

/** The words for `field`'s rule where ajv's say nothing of what to send: the instants a request may give, and the `x-message` of a shape's object rule. */
function statedMessage(shape: RequestShape, errors: NonNullable<ValidateFunction['errors']>, field: { readonly pointer: string; readonly rule: string }): string | undefined {
  // Instants of requests are those the engine keeps, up to year 9999 (see the format above).
  if (field.rule === 'format') return errors.some((e) => e.instancePath === field.pointer && e.params['format'] === 'date-time') ? INSTANT_RULE : undefined
  if (!OBJECT_RULES.has(field.rule)) return undefined
  const error = errors.find((e) => e.keyword === field.rule && e.instancePath === field.pointer)
  if (!error) return undefined
  const path = error.schemaPath.replace(/^#\//, '').split('/').slice(0, -1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
  let schema: unknown = path[0] === '$defs' ? apiSchema : (apiSchema.$defs as Record<string, unknown>)[shape]
  for (const segment of path) schema = typeof schema === 'object' && schema !== null ? (schema as Record<string, unknown>)[segment] : undefined
  const message = typeof schema === 'object' && schema !== null ? (schema as Record<string, unknown>)['x-message'] : undefined
  return typeof message === 'string' ? message : undefined
}

/**
 * A function reading the body of a request that may carry one, up to `maxBytes` (else `request.too-large`,
 * from the declared Content-Length before reading, or as soon as a chunked body goes past it),
 * and keeps it as text for the handlers ({@link bodyText}). Under @hono/node-server it reads the
 * Node.js request directly: going through the Fetch API's Request and its web stream costs more
 * than the rest of an act's HTTP handling.
 */
export function bufferBody(maxBytes: number): (c: Context<AppEnv>) => Promise<void> {
  const tooLarge = (): EngineError => new EngineError('request.too-large', `Request bodies are limited to ${maxBytes} bytes.`)
  return async (c) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD' || c.get('body') !== undefined) return
    c.set('body', decoder.decode(await readBodyBytes(c, maxBytes, tooLarge)))
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
  if (incoming instanceof IncomingMessage) return readIncoming(incoming, maxBytes, tooLarge)
  const chunks: Uint8Array[] = []
  let size = 0
  const source = c.req.raw.body
  if (source) {
    for await (const chunk of source) {
      size += chunk.byteLength
      if (size > maxBytes) throw tooLarge()
      chunks.push(chunk)
    }
  }
  return Buffer.concat(chunks, size)
}

/**
 * Reads a Node.js request's body by its events: an async iterator over the stream costs several
 * times what a small body's own bytes do. Stopping early (too large) pauses the request rather
 * than destroying it: @hono/node-server then drains the rest of a refused body after the
 * answer, and the connection stays usable.
 */
function readIncoming(incoming: IncomingMessage, maxBytes: number, tooLarge: () => Error): Promise<Buffer> {
  if (incoming.readableEnded) return Promise.resolve(Buffer.alloc(0))
  // Most bodies have arrived with their headers: the parser has pushed them all by the time the
  // middleware before this one yielded, and they are read at once.
  if (incoming.complete && !incoming.readableFlowing) return Promise.resolve(readBuffered(incoming, maxBytes, tooLarge))
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const stop = (): void => {
      incoming.off('data', onData)
      incoming.off('end', onEnd)
      incoming.off('error', onError)
      incoming.off('close', onClose)
    }
    const onData = (chunk: Buffer): void => {
      size += chunk.byteLength
      if (size > maxBytes) {
        stop()
        incoming.pause()
        reject(tooLarge())
        return
      }
      chunks.push(chunk)
    }
    const onEnd = (): void => {
      stop()
      resolve(chunks.length === 1 ? chunks[0] as Buffer : Buffer.concat(chunks, size))
    }
    const onError = (error: Error): void => {
      stop()
      reject(error)
    }
    // Closed before its end: the client went away mid-body.
    const onClose = (): void => {
      stop()
      reject(Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }))
    }
    incoming.on('data', onData)
    incoming.on('end', onEnd)
    incoming.on('error', onError)
    incoming.on('close', onClose)
  })
}

/** The whole body of a request the parser has finished, from the stream's buffer. */
function readBuffered(incoming: IncomingMessage, maxBytes: number, tooLarge: () => Error): Buffer {
  const chunks: Buffer[] = []
  let size = 0
  for (let chunk = incoming.read() as Buffer | null; chunk !== null; chunk = incoming.read() as Buffer | null) {
    size += chunk.byteLength
    if (size > maxBytes) throw tooLarge()
    chunks.push(chunk)
  }
  return chunks.length === 1 ? chunks[0] as Buffer : Buffer.concat(chunks, size)
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
  // JSON is UTF-8 (RFC 8259), and the body is read as such: another charset is refused, not misread.
  const charset = /;\s*charset\s*=\s*"?([^";\s]*)/i.exec(type)?.[1]
  if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
    throw new EngineError('request.unsupported-media-type', `Send JSON in UTF-8 (got charset=${charset}).`)
  }
  let body: unknown = {}
  if (text.trim() !== '') {
    checkJsonShape(text)
    try {
      body = JSON.parse(text)
    } catch (error) {
      throw new EngineError('request.malformed', `The body is not valid JSON: ${(error as Error).message}.`)
    }
    checkJsonText(text, body)
  }
  return checkBody(shape, body)
}

/**
 * Checks a request built another way (a console form) against the shape `shape` of
 * `schemas/api.schema.json`, as {@link readBody} checks a JSON body: the same limits whatever
 * the way in.
 * @throws {EngineError} `request.invalid` (422) with every failing field.
 */
export function checkBody<S extends RequestShape>(shape: S, body: unknown): BodyTypes[S] {
  const validate = validatorOf(shape)
  if (!validate(body)) {
    const fields = fieldProblems(validate.errors).map((field) => ({ ...field, message: statedMessage(shape, validate.errors ?? [], field) ?? field.message }))
    throw new EngineError('request.invalid', `The ${shape} body is invalid: ${fields.map((f) => `${f.pointer || '/'} ${f.message}`).join('; ')}.`, { fields })
  }
  return body as BodyTypes[S]
}
