import type { Command } from './command'
import { downloadCommand } from './download'
import { serveCommand } from './serve'

export const commands: readonly Command[] = [serveCommand, downloadCommand]
