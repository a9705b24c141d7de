import path from 'node:path'
import { createApp } from '../app'
import { packageRoot } from '../package-root'
import { appDataDir } from '../paths'
import { startWebHost } from '../web/host'
import { parseCommandArgs, type Command } from './command'

const help = `Usage: finetune-studio serve [--port N]

Serves the app to a browser on this machine only (127.0.0.1), guarded by a token made at each launch.
Open the printed address; it carries the token.

Options:
  --port N   port to listen on (default: any free port)`

export const serveCommand: Command = {
  name: 'serve',
  summary: 'run the app in a browser (web host on 127.0.0.1, no Electron needed)',
  async run(argv) {
    const parsed = parseCommandArgs('serve', help, argv, { port: { type: 'string' } })
    if (!parsed) return 0
    const port = parsed.values.port === undefined ? 0 : Number(parsed.values.port)
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      console.error(`finetune-studio serve: --port must be a whole number from 0 to 65535, got "${parsed.values.port}".`)
      return 2
    }
    const app = createApp({ dataDir: appDataDir(), host: 'web' })
    const host = await startWebHost({ app, port, rendererDir: path.join(packageRoot(), 'out', 'renderer') })
    console.log(`Finetune Studio at ${host.url}`)
    await new Promise<void>((resolve) => {
      const stop = () => resolve()
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
    })
    await host.close()
    await app.close()
    return 0
  },
}
