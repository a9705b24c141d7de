import type { Command } from './command'
import { serveCommand } from './serve'

export const commands: readonly Command[] = [serveCommand]
