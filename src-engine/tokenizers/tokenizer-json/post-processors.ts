/**
 * tokenizer.json post-processors (tokenizers/src/processors) for one sequence: what `add_special_tokens`
 * puts around the ids (TemplateProcessing, BertProcessing, RobertaProcessing; ByteLevel adds nothing).
 */

export type PostProcessor = (ids: number[]) => number[]

type Json = Record<string, unknown>

export function createPostProcessor(json: Json | null | undefined): PostProcessor | null {
  if (!json) return null
  switch (json.type) {
    case 'Sequence': {
      const parts = (json.processors as Json[]).map(createPostProcessor).filter((p): p is PostProcessor => p !== null)
      return (ids) => parts.reduce((x, p) => p(x), ids)
    }
    case 'ByteLevel':
      return (ids) => ids
    case 'TemplateProcessing': {
      const special = (json.special_tokens ?? {}) as Record<string, { ids: number[] }>
      const single = (json.single ?? []) as Json[]
      return (ids) => {
        const out: number[] = []
        for (const piece of single) {
          if ('SpecialToken' in piece) {
            const name = (piece.SpecialToken as { id: string }).id
            const entry = special[name]
            if (!entry) throw new Error(`tokenizer.json: template uses special token ${name}, which special_tokens lacks`)
            out.push(...entry.ids)
          } else if ('Sequence' in piece) {
            out.push(...ids)
          }
        }
        return out
      }
    }
    case 'BertProcessing':
    case 'RobertaProcessing': {
      const cls = (json.cls as [string, number])[1]
      const sep = (json.sep as [string, number])[1]
      return (ids) => [cls, ...ids, sep]
    }
    default:
      throw new Error(`tokenizer.json: post-processor ${String(json.type)} is not supported`)
  }
}
