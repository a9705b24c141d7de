/**
 * The one API between the renderer and the host (Electron main or the web host). Both transports —
 * a MessagePort in Electron, a WebSocket in the browser — serve a router that implements exactly this.
 * Streams are event iterators; the client passes an AbortSignal to stop one.
 */
import { eventIterator, oc } from '@orpc/contract'
import { z } from 'zod'
import { AppInfo, DatasetSummary, EngineStatus, ExperimentStatus, ExperimentSummary } from './entities'

export const contract = {
  system: {
    info: oc.output(AppInfo),
    /** The engine child's state now, then every change (starting → ready | failed). */
    engine: oc.output(eventIterator(EngineStatus)),
  },
  experiments: {
    list: oc
      .input(
        z
          .object({
            status: z.array(ExperimentStatus).optional(),
            search: z.string().max(200).optional(),
          })
          .optional(),
      )
      .output(z.array(ExperimentSummary)),
  },
  datasets: {
    list: oc.output(z.array(DatasetSummary)),
  },
}

export type Contract = typeof contract
