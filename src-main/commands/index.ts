import type { Command } from './command'
import { forwardCommand } from './forward'
import { generateCommand } from './generate'
import { serveCommand } from './serve'

export const commands: readonly Command[] = [serveCommand, forwardCommand, generateCommand]
