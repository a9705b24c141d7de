import { HubError } from '../hub/errors'
import { hubClientFromEnv } from '../hub/service'
import { parseCommandArgs, type Command } from './command'

const help = `Usage: finetune-studio download REPO_ID [--dataset] [--file PATH]... [--revision REV]

Downloads a model (or with --dataset, a dataset) from the Hugging Face Hub into the standard cache
($HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub), shared with Python tools. Files already
there are reused; an interrupted download resumes. Prints the snapshot folder on stdout, progress on stderr.

Environment: HF_TOKEN (gated or private repos; never printed), HF_ENDPOINT (another Hub address).

Options:
  --dataset        REPO_ID is a dataset repo
  --file PATH      only this file (repeatable; datasets: the data files to fetch)
  --revision REV   branch, tag or commit (default: main)`

function mb(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1)
}

export const downloadCommand: Command = {
  name: 'download',
  summary: 'download a model or dataset from the Hugging Face Hub into the HF cache',
  async run(argv) {
    const parsed = parseCommandArgs('download', help, argv, { dataset: { type: 'boolean' }, file: { type: 'string', multiple: true }, revision: { type: 'string' } }, true)
    if (!parsed) return 0
    const [id] = parsed.positionals
    if (!id || !/^[\w.-]+\/[\w.-]+$/.test(id)) {
      console.error(`finetune-studio download: give a repository id like org/name.\n\n${help}`)
      return 2
    }
    const client = hubClientFromEnv()
    const files = parsed.values.file
    const onProgress = (p: { file: string; bytes: number; total: number; etaSeconds: number | null }) => {
      if (p.file === '') return
      const eta = p.etaSeconds === null ? '' : ` · ${Math.ceil(p.etaSeconds)} s left`
      process.stderr.write(`\r${p.file}: ${mb(p.bytes)} / ${mb(p.total)} MB${eta}`.padEnd(80))
    }
    try {
      if (!parsed.values.dataset) {
        const summary = await client.modelSummary(id, parsed.values.revision)
        console.error(`${id}: ${summary.architecture ?? 'unknown architecture'} · ${mb(summary.downloadBytes)} MB · ${summary.supportNote}`)
      }
      const only = files && files.length > 0 ? new Set(files) : undefined
      const options = { revision: parsed.values.revision, onProgress }
      const select = only ? { select: <F extends { path: string }>(all: F[]) => all.filter((f) => only.has(f.path)) } : {}
      const result = parsed.values.dataset
        ? await client.download('dataset', id, { ...options, ...select })
        : only
          ? await client.download('model', id, { ...options, ...select })
          : await client.downloadModel(id, options)
      process.stderr.write('\n')
      console.error(`${result.fetched.length} file(s) downloaded, ${result.reused.length} reused.`)
      console.log(result.dir)
      return 0
    } catch (error) {
      process.stderr.write('\n')
      if (error instanceof HubError) {
        console.error(error.message)
        return 1
      }
      throw error
    }
  },
}
