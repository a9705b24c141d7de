import fs from 'node:fs'
import path from 'node:path'
import { generateFromModel, loadModel, loadTokenizer, startInProcessEngine } from '../../src-engine/inference'
import { parseCommandArgs, UsageError, type Command } from './command'
import { backendHelp, parseBackend, parseIds, parseNumber } from './engine-args'

const help = `Usage: finetune-studio generate --model DIR [--adapter DIR] (--prompt TEXT | --ids "1 2 3") [options]

Generates new tokens from a Hugging Face causal LM folder, in this process, as transformers' generate()
does (same processors, same order). Prints the new text as it is produced; with --json prints
{"ids": [...new token ids...], "text": "..."} at the end. Defaults come from generation_config.json.

Options:
  --model DIR                model folder (config.json, safetensors weights, tokenizer.json for --prompt)
  --adapter DIR              apply a PEFT LoRA adapter (adapter_config.json + adapter_model.safetensors)
  --prompt TEXT              prompt text, encoded with the model's tokenizer (special tokens added)
  --ids "1 2 3"              prompt token ids instead of text
  --max-new-tokens N         most new tokens (default: generation_config.json, else 20)
  --min-new-tokens N         no EOS before N new tokens (default 0)
  --num-beams N              beam search with N beams (length penalty 1.0, as transformers)
  --do-sample                sample instead of greedy decoding
  --temperature T            sampling temperature (default 1.0)
  --top-k K                  keep the K most likely tokens when sampling (default 50; 0 = off)
  --top-p P                  nucleus sampling: keep the smallest set with probability ≥ P (default 1.0)
  --repetition-penalty R     transformers' repetition penalty (default 1.0 = off)
  --stop TEXT                stop when the new text contains TEXT (repeatable)
  --max-time SECONDS         stop after this long
  --no-eos                   ignore EOS: always generate --max-new-tokens tokens
  --seed S                   seed for sampling (default 0)
  --json                     print {"ids": [...], "text": "..."} only
${backendHelp}`

export const generateCommand: Command = {
  name: 'generate',
  summary: 'generate text from a model (greedy, sampling, beam search) as transformers does',
  async run(argv) {
    const parsed = parseCommandArgs('generate', help, argv, {
      model: { type: 'string' },
      adapter: { type: 'string' },
      prompt: { type: 'string' },
      ids: { type: 'string' },
      'max-new-tokens': { type: 'string' },
      'min-new-tokens': { type: 'string' },
      'num-beams': { type: 'string' },
      'do-sample': { type: 'boolean' },
      temperature: { type: 'string' },
      'top-k': { type: 'string' },
      'top-p': { type: 'string' },
      'repetition-penalty': { type: 'string' },
      stop: { type: 'string', multiple: true },
      'max-time': { type: 'string' },
      'no-eos': { type: 'boolean' },
      seed: { type: 'string' },
      json: { type: 'boolean' },
      backend: { type: 'string' },
    })
    if (!parsed) return 0
    const v = parsed.values
    if (!v.model) throw new UsageError(`finetune-studio generate: --model DIR is required.\n\n${help}`)
    if ((v.prompt === undefined) === (v.ids === undefined)) throw new UsageError(`finetune-studio generate: give exactly one of --prompt TEXT or --ids "1 2 3".\n\n${help}`)
    const n = (flag: string, integer: boolean) => parseNumber('generate', flag, v[flag as keyof typeof v] as string | undefined, integer)
    await startInProcessEngine(parseBackend('generate', v.backend))
    const loaded = loadModel(v.model, { ...(v.adapter ? { adapterDir: v.adapter } : {}), onNote: (note) => console.error(note) })
    try {
      const hasTokenizer = fs.existsSync(path.join(v.model, 'tokenizer.json'))
      const tokenizer = hasTokenizer || v.prompt !== undefined ? await loadTokenizer(v.model) : null
      const g = loaded.generation
      const options = {
        maxNewTokens: n('max-new-tokens', true) ?? g.maxNewTokens ?? 20,
        minNewTokens: n('min-new-tokens', true) ?? 0,
        numBeams: n('num-beams', true) ?? g.numBeams ?? 1,
        doSample: v['do-sample'] ?? g.doSample ?? false,
        temperature: n('temperature', false) ?? g.temperature ?? 1,
        topK: n('top-k', true) ?? g.topK ?? 50,
        topP: n('top-p', false) ?? g.topP ?? 1,
        repetitionPenalty: n('repetition-penalty', false) ?? g.repetitionPenalty ?? 1,
        seed: n('seed', true) ?? 0,
        ...(v.stop ? { stopStrings: v.stop } : {}),
        ...(v['max-time'] !== undefined ? { maxTimeSeconds: n('max-time', false)! } : {}),
        ...(v['no-eos'] ? { eosTokenIds: [] } : {}),
      }
      const outcome = await generateFromModel(loaded, tokenizer, {
        ...(v.prompt !== undefined ? { prompt: v.prompt } : { ids: parseIds('generate', v.ids!) }),
        options,
        ...(v.json ? {} : { onText: (text: string) => process.stdout.write(text) }),
      })
      if (v.json) {
        console.log(JSON.stringify({ ids: outcome.ids, text: outcome.text }))
      } else {
        if (!tokenizer) process.stdout.write(outcome.ids.join(' '))
        process.stdout.write('\n')
        console.error(`[${outcome.ids.length} tokens, ${outcome.tokensPerSecond.toFixed(1)} tokens/s, finished: ${outcome.finishReason}]`)
      }
      return 0
    } finally {
      loaded.model.dispose()
    }
  },
}
