/**
 * The host-side application, independent of how it is shown: the history store, the engine monitor and
 * the facts the UI asks about. Electron main and the web host both create one and serve its router.
 */
import fs from 'node:fs'
import os from 'node:os'
import type { AppInfo } from '../src-shared/entities'
import { createDatasetService, type DatasetService } from './datasets/service'
import { openHistory, type History } from './db'
import { PickedFiles, type HostDialogs } from './dialogs'
import type { HubClient } from './hub/client'
import { hubClientFromEnv, resolveModelDir } from './hub/service'
import { ChatService } from './chat/chat-service'
import { InferenceHost } from './chat/inference-host'
import { PromptSuiteService } from './chat/prompt-suite-service'
import { createTokenStore, type Cipher, type TokenStore } from './hub/token-store'
import { createJudgeEndpointStore, type JudgeEndpointStore } from './settings/judge-endpoint'
import { EngineMonitor } from './engine/engine-monitor'
import { resolveConfigForEngine } from './engine/resolve-config'
import { Supervisor } from './engine/supervisor'
import { dataLayout, type DataLayout } from './paths'
import { APP_VERSION } from './version'

export interface AppServices {
  layout: DataLayout
  history: History
  datasets: DatasetService
  hub: HubClient
  tokens: TokenStore
  /** The OpenAI-compatible endpoint of the "OpenAI API" metric (Settings). */
  judge: JudgeEndpointStore
  engine: EngineMonitor
  supervisor: Supervisor
  chat: ChatService
  /** Native file dialogs: the desktop app's; null in the web host. */
  dialogs: HostDialogs | null
  /** Files picked in a dialog, by one-use token. */
  picked: PickedFiles
  suite: PromptSuiteService
  info: AppInfo
  close(): Promise<void>
}

export interface AppOptions {
  dataDir: string
  host: AppInfo['host']
  /** Tests that only need the API can skip forking the engine child. */
  startEngine?: boolean
  /** The Hub client; by default from the environment (HF_TOKEN, HF_ENDPOINT, HF_HOME). */
  hub?: HubClient
  /** Where the HF token is kept; the desktop app passes one backed by safeStorage. Default: HF_TOKEN only. */
  tokens?: TokenStore
  /** The desktop app's file dialogs (src-main/electron); none in the web host. */
  dialogs?: HostDialogs
  /** Free system memory in bytes (default os.freemem): tests force a low value for chat with a running experiment. */
  freeMemory?: () => number
  /** Encrypts the judge endpoint's API key (the desktop app passes safeStorage); without one, OPENAI_API_KEY only. */
  cipher?: Cipher
}

export function createApp(options: AppOptions): AppServices {
  const layout = dataLayout(options.dataDir)
  for (const dir of [layout.root, layout.datasets, layout.experiments]) fs.mkdirSync(dir, { recursive: true })
  const history = openHistory(layout.database)
  // Any experiment still 'running' belongs to a previous launch whose engine child died with it.
  history.experiments.markOrphansInterrupted()
  const tokens = options.tokens ?? createTokenStore()
  const hub = options.hub ?? hubClientFromEnv(process.env, tokens)
  const judge = createJudgeEndpointStore({ dir: layout.root, ...(options.cipher ? { cipher: options.cipher } : {}) })
  const engine = new EngineMonitor()
  if (options.startEngine !== false) void engine.start()
  const supervisor = new Supervisor({
    history,
    experimentsDir: layout.experiments,
    prepareConfig: (config) => resolveConfigForEngine(config, history, hub),
    judgeEndpoint: () => judge.endpoint(),
  })
  const inference = new InferenceHost()
  const chat = new ChatService({
    history,
    experimentsDir: layout.experiments,
    inference,
    resolveModel: (backbone) => resolveModelDir(hub, backbone),
    freeMemory: options.freeMemory ?? (() => os.freemem()),
  })
  return {
    layout,
    history,
    datasets: createDatasetService(layout, history, (backbone) => resolveModelDir(hub, backbone)),
    hub,
    tokens,
    judge,
    engine,
    supervisor,
    chat,
    dialogs: options.dialogs ?? null,
    picked: new PickedFiles(),
    suite: new PromptSuiteService({ history, experimentsDir: layout.experiments, chat }),
    info: {
      name: 'Finetune Studio',
      version: APP_VERSION,
      host: options.host,
      dataDir: layout.root,
      platform: `${os.platform()} ${os.arch()}`,
    },
    async close() {
      await supervisor.shutdown()
      await inference.stop()
      await engine.stop()
      history.close()
    },
  }
}
