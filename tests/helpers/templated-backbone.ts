/**
 * The demo backbone with a chat template: a copy of resources/demo-backbone whose tokenizer_config.json
 * gains a small chat_template in the style of Zephyr's (role markers, eos after each message), for tests of
 * the chat's "model's chat template" prompt format.
 */
import fs from 'node:fs'
import path from 'node:path'

export const DEMO_BACKBONE_DIR = path.resolve('resources/demo-backbone')

export const TEST_CHAT_TEMPLATE =
  "{% for message in messages %}{{ '<|' + message['role'] + '|>\\n' + message['content'] + eos_token }}{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% endif %}"

/** Copies the demo backbone into `dir` and adds the template; returns `dir`. */
export function writeTemplatedBackbone(dir: string, template = TEST_CHAT_TEMPLATE): string {
  fs.cpSync(DEMO_BACKBONE_DIR, dir, { recursive: true })
  const file = path.join(dir, 'tokenizer_config.json')
  const config = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>
  fs.writeFileSync(file, JSON.stringify({ ...config, chat_template: template }, null, 2))
  return dir
}
