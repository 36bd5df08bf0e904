/** The public surface of the engine: everything the server, the CLI and integrators may use. */
export { compileProcess } from './definition/compile.js'
export type { CompileResult } from './definition/compile.js'
export type {
  AttachmentRule, CompiledAction, CompiledParameter, CompiledProcess, CompiledSchema, CompiledStep,
  CompiledTimeout, CompiledWindow, Delay, Target,
} from './definition/compiled.js'
export type { ProcessDefinition } from './definition/definition.js'
export { ATTACHMENT_TYPES, isAttachmentType } from './definition/attachment-types.js'
export type { AttachmentType } from './definition/attachment-types.js'
export { processEdges } from './definition/graph.js'
export type { GraphEdge } from './definition/graph.js'
export { toMermaid } from './definition/mermaid.js'
export { BUILT_IN_PROCESS_DIR, compileProcessFile, loadBuiltInProcesses } from './process-files.js'
export { DefinitionError, EngineError, InvalidDefinitionError } from './errors.js'
export type { DefinitionCode, ErrorCode, SourceLocation } from './errors.js'
