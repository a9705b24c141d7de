/** The engine child: forked for real, typed messages both ways, backend choice, and stopping it. */
import { afterEach, describe, expect, it } from 'vitest'
import { EngineProcess, describeExit } from '../../src-main/engine/engine-process'
import type { EngineToHost } from '../../src-shared/engine-protocol'

const engines: EngineProcess[] = []
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.stop(500)))
})

function start(env: NodeJS.ProcessEnv = {}): EngineProcess {
  const engine = new EngineProcess(undefined, env)
  engines.push(engine)
  return engine
}

const isAnswer = (m: EngineToHost): m is Extract<EngineToHost, { type: 'ready' | 'failed' }> => m.type === 'ready' || m.type === 'failed'

describe('engine child process', () => {
  it('starts, picks the best backend on the ladder and reports it', async () => {
    const engine = start()
    engine.send({ type: 'hello', backend: 'auto' })
    const answer = await engine.waitFor(isAnswer)
    expect(answer.type).toBe('ready')
    if (answer.type !== 'ready') return
    expect(answer.info.pid).toBe(engine.pid)
    expect(answer.info.pid).not.toBe(process.pid)
    // Without a GPU the ladder reaches WebAssembly, having recorded why the GPU rungs failed.
    const taken = answer.info.ladder.filter((s) => s.ok)
    expect(taken).toHaveLength(1)
    expect(taken[0]!.backend).toBe(answer.info.backend)
    for (const failed of answer.info.ladder.filter((s) => !s.ok)) expect(failed.reason.length).toBeGreaterThan(0)
    expect(answer.info.precisionNote).toMatch(/float32/)
  })

  it('honours an explicit backend, and explains a backend that cannot start', async () => {
    const cpu = start()
    cpu.send({ type: 'hello', backend: 'cpu' })
    const ready = await cpu.waitFor(isAnswer)
    expect(ready).toMatchObject({ type: 'ready', info: { backend: 'cpu', device: 'CPU (plain JavaScript, slow)' } })

    const gpu = start()
    gpu.send({ type: 'hello', backend: 'tensorflow' })
    const failed = await gpu.waitFor(isAnswer)
    expect(failed.type).toBe('failed')
    if (failed.type === 'failed') expect(failed.message).toMatch(/The "tensorflow" backend was requested .* Choose "auto"/)
  })

  it('shuts down when asked', async () => {
    const engine = start()
    // A generous grace: a loaded machine can take seconds just to load the child (tsx + TensorFlow.js).
    const exit = await engine.stop(30_000)
    expect(exit).toMatchObject({ code: 0, signal: null })
  })

  it('reports a killed child with its signal', async () => {
    const engine = start()
    engine.send({ type: 'hello', backend: 'cpu' })
    await engine.waitFor(isAnswer)
    const exited = new Promise<Parameters<typeof describeExit>[0]>((resolve) => engine.once('exit', resolve))
    engine.child.kill('SIGKILL')
    const exit = await exited
    expect(describeExit(exit)).toMatch(/^The engine process was killed by SIGKILL\./)
    expect(() => engine.send({ type: 'shutdown' })).toThrow('The engine process is not running.')
  })
})
