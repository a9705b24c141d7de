import { forwardIds, loadModel, startInProcessEngine } from '../../src-engine/inference'
import { parseCommandArgs, UsageError, type Command } from './command'
import { backendHelp, parseBackend, parseIds } from './engine-args'

const help = `Usage: finetune-studio forward --model DIR [--adapter DIR] --ids "1 2 3" [--json]

Runs one forward pass of a Hugging Face causal LM folder (config.json + safetensors weights) on token ids,
in this process, and prints the logits at every position and the mean next-token cross-entropy of the ids
(transformers' loss with labels = input_ids). A tool to check us against other implementations.

Options:
  --model DIR        model folder (config.json, model.safetensors or a sharded index)
  --adapter DIR      apply a PEFT LoRA adapter (adapter_config.json + adapter_model.safetensors)
  --ids "1 2 3"      input token ids, separated by spaces or commas
  --json             print {"logits": [[...per position...]], "loss": <number or null>}
${backendHelp}`

export const forwardCommand: Command = {
  name: 'forward',
  summary: 'logits and loss of a model on token ids (checks against other implementations)',
  async run(argv) {
    const parsed = parseCommandArgs('forward', help, argv, {
      model: { type: 'string' },
      adapter: { type: 'string' },
      ids: { type: 'string' },
      json: { type: 'boolean' },
      backend: { type: 'string' },
    })
    if (!parsed) return 0
    const { model, adapter, ids, json, backend } = parsed.values
    if (!model) throw new UsageError(`finetune-studio forward: --model DIR is required.\n\n${help}`)
    if (ids === undefined) throw new UsageError(`finetune-studio forward: --ids "1 2 3" is required.\n\n${help}`)
    const tokenIds = parseIds('forward', ids)
    const chosen = await startInProcessEngine(parseBackend('forward', backend))
    const loaded = loadModel(model, { ...(adapter ? { adapterDir: adapter } : {}), onNote: (note) => console.error(note) })
    try {
      const result = await forwardIds(loaded, tokenIds)
      if (json) {
        console.log(JSON.stringify({ logits: result.logits, loss: result.loss }))
      } else {
        console.log(`backend: ${chosen.backend} (${chosen.device})`)
        console.log(`model: ${model} (${loaded.model.summary.modelType})${adapter ? ` + adapter ${adapter}` : ''}`)
        result.logits.forEach((row, t) => {
          let best = 0
          row.forEach((v, i) => v > row[best]! && (best = i))
          console.log(`position ${t} (id ${tokenIds[t]}): argmax ${best} (${row[best]!.toFixed(4)})`)
        })
        console.log(`loss: ${result.loss === null ? 'n/a (one token)' : result.loss}`)
      }
      return 0
    } finally {
      loaded.model.dispose()
    }
  },
}
