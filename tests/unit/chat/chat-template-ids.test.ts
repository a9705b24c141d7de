/**
 * The ids the inference child feeds the model with the "model's chat template" prompt format: the
 * conversation rendered with tokenizer_config.json's chat_template (system, earlier turns, the prompt and the
 * generation prompt), encoded without the post-processor's special tokens, as transformers'
 * apply_chat_template(tokenize=True) does.
 */
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { defaultConfig, setPath } from '../../../src-shared/config'
import { loadTokenizer } from '../../../src-engine/tokenizers'
import { chatTemplateIds, conversationIds, conversationMessages } from '../../../src-engine/training/conversation'
import { DEMO_BACKBONE_DIR, writeTemplatedBackbone } from '../../helpers/templated-backbone'
import { makeTempHome } from '../../helpers/temp-home'

describe('chat template prompt format', () => {
  const home = makeTempHome()
  afterAll(() => home.cleanup())
  const config = setPath(setPath(defaultConfig(), 'dataset.text_prompt_start', 'Q: '), 'dataset.text_answer_separator', '\\nA: ')
  const history = [{ prompt: 'Hi', answer: 'Hello!' }]

  it('lists system, earlier turns and the prompt as role/content messages', () => {
    expect(conversationMessages(history, 'Capital of Japan?', 'Be brief.')).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello!' },
      { role: 'user', content: 'Capital of Japan?' },
    ])
    expect(conversationMessages([], 'Hi')).toEqual([{ role: 'user', content: 'Hi' }])
  })

  it('renders the template with the generation prompt and encodes it, the markers as the tokenizer splits them', async () => {
    const tokenizer = await loadTokenizer(writeTemplatedBackbone(path.join(home.dir, 'templated')))
    const ids = chatTemplateIds(tokenizer, config, history, 'Capital of Japan?', 'Be brief.')
    // Written out by hand from the template, not rendered by our code.
    const eos = '<|endoftext|>'
    const expectedText = `<|system|>\nBe brief.${eos}<|user|>\nHi${eos}<|assistant|>\nHello!${eos}<|user|>\nCapital of Japan?${eos}<|assistant|>\n`
    expect(ids).toEqual(tokenizer.encode(expectedText))
    // eos is one special token per message (4 messages), not its characters.
    expect(ids.filter((id) => id === tokenizer.eosTokenId)).toHaveLength(4)
    expect(tokenizer.decode(ids)).toBe(expectedText)
    // …and not what the training format builds from the same conversation.
    expect(ids).not.toEqual(conversationIds(tokenizer, config, history, 'Capital of Japan?', 'Be brief.'))
  })

  it('keeps the last max_length tokens of a long conversation', async () => {
    const tokenizer = await loadTokenizer(path.join(home.dir, 'templated'))
    const short = setPath(config, 'tokenizer.max_length', 16)
    const ids = chatTemplateIds(tokenizer, short, [], 'word '.repeat(100))
    expect(ids).toHaveLength(16)
    expect(tokenizer.decode(ids).endsWith('<|assistant|>\n')).toBe(true)
  })

  it('says which setting to change when the backbone has no chat template', async () => {
    const tokenizer = await loadTokenizer(DEMO_BACKBONE_DIR)
    expect(() => chatTemplateIds(tokenizer, config, [], 'Hi')).toThrow(/no chat_template in its tokenizer_config.json: choose "Prompt format: as training"/)
  })
})
