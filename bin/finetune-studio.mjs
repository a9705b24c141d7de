#!/usr/bin/env node
// The `finetune-studio` command. It runs the TypeScript sources through tsx, so the CLI, the web host
// and the engine need no build step; only the renderer (served by `serve`) is built, by `npm run build`.
import { register } from 'tsx/esm/api'

register()
const { main } = await import('../src-main/cli.ts')
const { UsageError } = await import('../src-main/commands/command.ts')
try {
  process.exitCode = await main(process.argv.slice(2))
} catch (error) {
  if (error instanceof UsageError) {
    console.error(error.message)
    process.exitCode = 2
  } else {
    console.error(error instanceof Error ? (process.env.FINETUNE_STUDIO_DEBUG ? error.stack : error.message) : String(error))
    process.exitCode = 1
  }
}
