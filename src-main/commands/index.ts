import type { Command } from './command'
import { configCommand } from './config'
import { serveCommand } from './serve'

export const commands: readonly Command[] = [serveCommand, configCommand]
