/**
 * Separator and marker fields (prompt_column_separator, text_prompt_start, …) hold text as the user types
 * it, with \n for a line break, exactly as H2O LLM Studio stores them. This turns that into the real text
 * the engine inserts between prompt and answer.
 */
const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\' }

export function decodeEscapes(typed: string): string {
  return typed.replace(/\\([ntr\\])/g, (_, letter: string) => escapes[letter] ?? letter)
}
