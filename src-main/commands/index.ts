import { chatCommand } from './chat'
import type { Command } from './command'
import { configCommand } from './config'
import { forwardCommand } from './forward'
import { generateCommand } from './generate'
import { downloadCommand } from './download'
import { serveCommand } from './serve'
import { tokenizeCommand } from './tokenize'
import { trainCommand } from './train'

export const commands: readonly Command[] = [serveCommand, configCommand, trainCommand, chatCommand, forwardCommand, generateCommand, tokenizeCommand, downloadCommand]
