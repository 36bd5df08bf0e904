import { linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { BUILT_IN_PROCESS_DIR, builtInRoles, compileProcessFile, loadBuiltInProcesses, MAX_DEFINITION_BYTES } from '../../engine/index.js'
import type { CompileResult } from '../../engine/index.js'

/**
 * Reading definition files as `validate` does: the problems that need a file (it cannot be read,
 * or it is too large) and the encodings, which the corpus of broken definitions cannot show.
 */
let dir: string
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'dc-files-')) })
afterEach(() => { rmSync(dir, { recursive: true, force: true }) })

const BASIC = readFileSync(join(BUILT_IN_PROCESS_DIR, 'basic.yaml'), 'utf8')

function write(name: string, content: string | Uint8Array): string {
  const file = join(dir, name)
  writeFileSync(file, content)
  return file
}

function problemsOf(result: CompileResult): Array<{ code: string; line: number; column: number; message: string; hint: string | undefined }> {
  if (result.ok) return []
  return result.errors.map((e) => ({ code: e.code, line: e.location.line, column: e.location.column, message: e.message, hint: e.hint }))
}

function expectBasic(result: CompileResult): void {
  expect(problemsOf(result)).toEqual([])
  if (result.ok) expect([...result.process.steps.keys()]).toEqual(['submit-demand', 'project-delivery', 'confirm-delivery', 'dispute', 'project-delivery-escalated'])
}

describe('compileProcessFile', () => {
  it('reports a missing file and a folder as unreadable, with the reason, at 1:1', () => {
    expect(problemsOf(compileProcessFile(join(dir, 'missing.yaml')))).toEqual([expect.objectContaining({ code: 'definition.unreadable', line: 1, column: 1, message: expect.stringContaining('ENOENT') })])
    expect(problemsOf(compileProcessFile(dir))).toEqual([expect.objectContaining({ code: 'definition.unreadable', message: expect.stringContaining('EISDIR') })])
  })

  it('reports a folder whose own size passes 1 MiB as unreadable, not as too large', () => {
    const folder = join(dir, 'many')
    mkdirSync(folder)
    // Entries of long names, each a link to one empty file: about 4,400 of them make 1 MiB of folder.
    const empty = join(dir, 'empty')
    writeFileSync(empty, '')
    for (let i = 0; i < 4_400; i++) linkSync(empty, join(folder, `${String(i).padStart(5, '0')}-${'x'.repeat(234)}`))
    expect(statSync(folder).size).toBeGreaterThan(MAX_DEFINITION_BYTES)
    expect(problemsOf(compileProcessFile(folder))).toEqual([expect.objectContaining({ code: 'definition.unreadable', message: expect.stringContaining('EISDIR') })])
  })

  it('refuses a file over 1 MiB as too large, whatever it holds', () => {
    const file = write('big.yaml', `${BASIC}\n# ${'x'.repeat(MAX_DEFINITION_BYTES)}\n`)
    expect(problemsOf(compileProcessFile(file))).toEqual([expect.objectContaining({ code: 'definition.too-large', line: 1, column: 1, message: expect.stringContaining('1 MiB') })])
  })

  it('accepts a file of exactly 1 MiB', () => {
    const padding = MAX_DEFINITION_BYTES - Buffer.byteLength(BASIC) - 3
    const file = write('full.yaml', `${BASIC}# ${'x'.repeat(padding)}\n`)
    expect(readFileSync(file).length).toBe(MAX_DEFINITION_BYTES)
    expectBasic(compileProcessFile(file))
  })

  it('names an empty file as empty', () => {
    expect(problemsOf(compileProcessFile(write('empty.yaml', '')))).toEqual([expect.objectContaining({ code: 'definition.empty', line: 1, column: 1, message: 'The file is empty.' })])
  })

  it('accepts UTF-8 with a byte order mark, CRLF line ends and Chinese titles', () => {
    const text = BASIC.replace('title: Basic Delivery Process', 'title: 基础交付流程').replace(/\n/g, '\r\n')
    const result = compileProcessFile(write('bom.yaml', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')])))
    expectBasic(result)
    if (result.ok) expect(result.process.title).toBe('基础交付流程')
  })

  it('accepts UTF-16 with a byte order mark, little- and big-endian', () => {
    const text = BASIC.replace('title: Basic Delivery Process', 'title: 基础交付流程')
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])
    const be = Buffer.from(le)
    be.swap16()
    for (const bytes of [le, be]) {
      const result = compileProcessFile(write('utf16.yaml', bytes))
      expectBasic(result)
      if (result.ok) expect(result.process.title).toBe('基础交付流程')
    }
  })

  it('names UTF-16 without a byte order mark, and UTF-32, instead of reading them as binary', () => {
    const [noBom] = problemsOf(compileProcessFile(write('utf16.yaml', Buffer.from(BASIC, 'utf16le'))))
    expect(noBom).toMatchObject({ code: 'definition.encoding', message: expect.stringContaining('UTF-16'), hint: expect.stringContaining('UTF-8') })
    const utf32 = Buffer.alloc(4 + BASIC.length * 4)
    utf32.set([0xff, 0xfe, 0x00, 0x00])
    for (let i = 0; i < BASIC.length; i++) utf32.writeUInt32LE(BASIC.charCodeAt(i), 4 + i * 4)
    expect(problemsOf(compileProcessFile(write('utf32.yaml', utf32)))).toEqual([expect.objectContaining({ code: 'definition.encoding', message: expect.stringContaining('UTF-32') })])
  })

  it('locates the first byte that is not UTF-8, and names a binary file as binary', () => {
    const latin1 = Buffer.concat([Buffer.from('id: demo\nversion: 1\ntitle: Caf'), Buffer.from([0xe9]), Buffer.from(' au lait\n')])
    expect(problemsOf(compileProcessFile(write('latin1.yaml', latin1)))).toEqual([expect.objectContaining({ code: 'definition.encoding', line: 3, column: 11, message: expect.stringContaining('0xE9') })])
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52])
    expect(problemsOf(compileProcessFile(write('image.yaml', png)))).toEqual([expect.objectContaining({ code: 'definition.encoding', message: expect.stringContaining('binary') })])
  })

  it('passes its options to the compiler: a derived process resolves its base', () => {
    const file = write('derived.yaml', 'id: my-basic\nversion: 1\ntitle: My Basic\nextends: basic\nparameters:\n  confirmWindow: { default: P7D }\n')
    expect(problemsOf(compileProcessFile(file))).toEqual([expect.objectContaining({ code: 'definition.unknown-base' })])
    const result = compileProcessFile(file, { base: (ref) => ref.id === 'basic' ? { text: BASIC, file: 'basic.yaml' } : undefined })
    expect(problemsOf(result)).toEqual([])
    if (result.ok) expect(result.process.parameters.get('confirmWindow')?.default).toBe('P7D')
  })
})

describe('builtInRoles', () => {
  it('names the roles of the built-in processes as compiled, without compiling them', () => {
    const compiled = new Set(loadBuiltInProcesses().flatMap((process) => process.roles))
    expect(new Set(builtInRoles())).toEqual(compiled)
    expect([...compiled]).toEqual(expect.arrayContaining(['customer', 'isv']))
  })

  it('reads a derived process that lists no roles as adding none, and one that lists them as adding those', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dc-roles-'))
    try {
      writeFileSync(join(dir, 'a.yaml'), 'id: a\nversion: 1\ntitle: A\nroles: [customer, auditor]\nsteps:\n  - { id: s, title: S, actor: auditor, actions: { done: { end: done } } }\n')
      writeFileSync(join(dir, 'b.yaml'), 'id: b\nversion: 1\ntitle: B\nextends: a\n')
      writeFileSync(join(dir, 'c.yaml'), 'id: c\nversion: 1\ntitle: C\nextends: a\nroles: [customer, auditor, notary]\n')
      expect(builtInRoles(dir).sort()).toEqual(['auditor', 'customer', 'notary'])
      expect(new Set(loadBuiltInProcesses(dir).flatMap((process) => process.roles))).toEqual(new Set(builtInRoles(dir)))
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
