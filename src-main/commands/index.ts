import type { Command } from './command'
import { serveCommand } from './serve'
import { tokenizeCommand } from './tokenize'

export const commands: readonly Command[] = [serveCommand, tokenizeCommand]
