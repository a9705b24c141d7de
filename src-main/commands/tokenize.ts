import fs from 'node:fs'
import { loadTokenizer } from '../../src-engine/tokenizers'
import { parseCommandArgs, UsageError, type Command } from './command'

const help = `Usage: finetune-studio tokenize --model DIR (--text TEXT | --file FILE) [--json] [--special]

Tokenizes text with the tokenizer of a model folder (tokenizer.json, else spiece.model / tokenizer.model;
the weights are not needed) and prints, for each input line, its tokens. A tool to check our tokenizers
against other implementations.

Options:
  --model DIR    folder holding the tokenizer files (or a tokenizer.json / .model file itself)
  --text TEXT    the text to tokenize
  --file FILE    a UTF-8 text file to tokenize, line by line
  --json         one JSON object per input line: {"ids": [...], "tokens": [...]}
  --special      apply the model's post-processor (bos/eos, [CLS]/[SEP]); off by default, as the
                 libraries' plain encode`

/** A token shown on one line: whitespace and control characters escaped, so tokens stay separable. */
function showToken(token: string): string {
  return /[\s\p{C}]/u.test(token) || token === '' ? JSON.stringify(token) : token
}

export const tokenizeCommand: Command = {
  name: 'tokenize',
  summary: 'print the tokens (or ids, --json) of text with a model folder\'s tokenizer',
  async run(argv) {
    const parsed = parseCommandArgs('tokenize', help, argv, {
      model: { type: 'string' },
      text: { type: 'string' },
      file: { type: 'string' },
      json: { type: 'boolean' },
      special: { type: 'boolean' },
    })
    if (!parsed) return 0
    const { model, text, file, json, special } = parsed.values
    if (!model) throw new UsageError(`finetune-studio tokenize: --model is required.\n\n${help}`)
    if ((text === undefined) === (file === undefined)) throw new UsageError(`finetune-studio tokenize: give exactly one of --text and --file.\n\n${help}`)
    const tokenizer = await loadTokenizer(model)
    let input = text ?? fs.readFileSync(file!, 'utf8')
    if (file !== undefined && input.endsWith('\n')) input = input.slice(0, -1)
    const lines = input.split('\n').map((l) => (file !== undefined && l.endsWith('\r') ? l.slice(0, -1) : l))
    const out: string[] = []
    for (const line of lines) {
      const ids = tokenizer.encode(line, { addSpecialTokens: special === true })
      const tokens = tokenizer.tokens(ids)
      out.push(json ? JSON.stringify({ ids, tokens }) : tokens.map(showToken).join(' '))
    }
    process.stdout.write(out.join('\n') + '\n')
    return 0
  },
}
