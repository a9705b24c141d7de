/** The LLM judge against a local OpenAI-compatible server (node:http on 127.0.0.1) that the test controls. */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { chatCompletionsUrl, fillTemplate, JudgeError, judgeMetric, judgeSample, judgeSystemMessage, parseScore } from '../../../src-engine/metrics/openai-judge'

interface SeenRequest {
  method: string
  url: string
  headers: http.IncomingHttpHeaders
  body: { model: string; messages: { role: string; content: string }[]; temperature: number; max_tokens: number }
}

/** Each request takes the next planned reply; the last one repeats. */
type Reply = { status: number; body: string; headers?: Record<string, string>; delayMs?: number }
let plan: Reply[] = []
let seen: SeenRequest[] = []
let server: http.Server
let baseUrl = ''
const apiKey = 'sk-test-SECRET-1234567890'

function completion(content: string): string {
  return JSON.stringify({ id: 'x', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }] })
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let data = ''
    req.on('data', (chunk: Buffer) => (data += chunk.toString()))
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: JSON.parse(data || '{}') as SeenRequest['body'] })
      const reply = plan.length > 1 ? plan.shift()! : plan[0]!
      setTimeout(() => {
        if (res.destroyed) return
        res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers })
        res.end(reply.body)
      }, reply.delayMs ?? 0)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})
beforeEach(() => {
  plan = []
  seen = []
})

const sample = { prompt: 'What is 2+2?', targetText: '4', predictedText: 'The answer is 4.' }
const fast = { backoffMs: 1, maxBackoffMs: 5, timeoutMs: 2000 }

describe('judgeSample', () => {
  it('posts an OpenAI chat completion with the key as a bearer token and reads the score', async () => {
    plan = [{ status: 200, body: completion('REASON: Correct and concise.\nSCORE: 8') }]
    const endpoint = { baseUrl, model: 'judge-model', apiKey }
    const logs: string[] = []
    const result = await judgeSample(endpoint, sample, { ...fast, log: (l) => logs.push(l) })
    expect(result.score).toBe(8)
    expect(result.reason).toBe('Correct and concise.')
    expect(seen).toHaveLength(1)
    const request = seen[0]!
    expect(request.method).toBe('POST')
    expect(request.url).toBe('/v1/chat/completions')
    expect(request.headers.authorization).toBe(`Bearer ${apiKey}`)
    expect(request.headers['content-type']).toBe('application/json')
    expect(request.body.model).toBe('judge-model')
    expect(request.body.temperature).toBe(0)
    expect(request.body.messages[0]).toEqual({ role: 'system', content: judgeSystemMessage })
    const user = request.body.messages[1]!
    expect(user.role).toBe('user')
    expect(user.content).toContain('What is 2+2?')
    expect(user.content).toContain('The answer is 4.')
    expect(user.content).toContain('[Start of Reference Answer]\n4\n')
    expect(user.content).not.toContain('{_')
    expect(logs.join('\n')).not.toContain(apiKey)
  })

  it('sends no Authorization header when the key is empty (local servers)', async () => {
    plan = [{ status: 200, body: completion('SCORE: 10') }]
    await judgeSample({ baseUrl, model: 'm', apiKey: '' }, sample, fast)
    expect(seen[0]!.headers.authorization).toBeUndefined()
  })

  it('401: no retry, a message that says to check the key in Settings, and the key is not in it', async () => {
    plan = [{ status: 401, body: JSON.stringify({ error: { message: `Incorrect API key provided: ${apiKey}.` } }) }]
    const error = await judgeSample({ baseUrl, model: 'm', apiKey }, sample, fast).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(JudgeError)
    expect((error as JudgeError).kind).toBe('auth')
    expect((error as JudgeError).message).toMatch(/Check the OpenAI API key in Settings/)
    expect((error as JudgeError).message).not.toContain(apiKey)
    expect((error as JudgeError).message).toContain('[redacted]')
    expect(seen).toHaveLength(1)
  })

  it('429 then 503 then success: retried with backoff, honouring Retry-After', async () => {
    plan = [
      { status: 429, body: JSON.stringify({ error: { message: 'Rate limit reached' } }), headers: { 'retry-after': '0' } },
      { status: 503, body: 'upstream busy' },
      { status: 200, body: completion('SCORE: 6/10') },
    ]
    const logs: string[] = []
    const result = await judgeSample({ baseUrl, model: 'm', apiKey }, sample, { ...fast, log: (l) => logs.push(l) })
    expect(result.score).toBe(6)
    expect(seen).toHaveLength(3)
    expect(logs.filter((l) => l.includes('retrying'))).toHaveLength(2)
    expect(logs.join('\n')).not.toContain(apiKey)
  })

  it('429 every time: gives up after maxAttempts with a rate-limit message', async () => {
    plan = [{ status: 429, body: '{"error":{"message":"slow down"}}' }]
    const error = await judgeSample({ baseUrl, model: 'm', apiKey }, sample, { ...fast, maxAttempts: 3 }).catch((e: unknown) => e)
    expect((error as JudgeError).kind).toBe('rate-limit')
    expect((error as JudgeError).message).toMatch(/429.*slow down.*3 tries/)
    expect(seen).toHaveLength(3)
  })

  it('404: no retry, points at the base URL and model name', async () => {
    plan = [{ status: 404, body: '{"error":{"message":"model not found"}}' }]
    const error = await judgeSample({ baseUrl, model: 'nope', apiKey }, sample, fast).catch((e: unknown) => e)
    expect((error as JudgeError).kind).toBe('request')
    expect((error as JudgeError).message).toMatch(/model not found.*base URL.*metric_gpt_model/)
    expect(seen).toHaveLength(1)
  })

  it('a body that is not a chat completion: a clear malformed error', async () => {
    plan = [{ status: 200, body: '<html>proxy login</html>' }]
    const error = await judgeSample({ baseUrl, model: 'm', apiKey }, sample, fast).catch((e: unknown) => e)
    expect((error as JudgeError).kind).toBe('malformed')
    expect((error as JudgeError).message).toMatch(/not answer with an OpenAI chat completion.*proxy login/)
  })

  it('an answer without a score: a clear malformed error quoting it', async () => {
    plan = [{ status: 200, body: completion('I think the answer is pretty good overall.') }]
    const error = await judgeSample({ baseUrl, model: 'm', apiKey }, sample, fast).catch((e: unknown) => e)
    expect((error as JudgeError).kind).toBe('malformed')
    expect((error as JudgeError).message).toMatch(/Could not find a score from 0 to 10.*pretty good overall/)
  })

  it('times out a server that does not answer, retrying, then says so', async () => {
    plan = [{ status: 200, body: completion('SCORE: 5'), delayMs: 1500 }]
    const started = Date.now()
    const error = await judgeSample({ baseUrl, model: 'm', apiKey }, sample, { ...fast, timeoutMs: 150, maxAttempts: 2 }).catch((e: unknown) => e)
    expect((error as JudgeError).kind).toBe('timeout')
    expect((error as JudgeError).message).toMatch(/did not answer within 0.15 s, 2 tries/)
    expect(seen).toHaveLength(2)
    expect(Date.now() - started).toBeLessThan(1400)
  })

  it('a closed port: a network error naming the URL', async () => {
    const closed = http.createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const port = (closed.address() as AddressInfo).port
    await new Promise<void>((resolve) => closed.close(() => resolve()))
    const error = await judgeSample({ baseUrl: `http://127.0.0.1:${port}`, model: 'm', apiKey }, sample, { ...fast, maxAttempts: 2 }).catch((e: unknown) => e)
    expect((error as JudgeError).kind).toBe('network')
    expect((error as JudgeError).message).toContain(`http://127.0.0.1:${port}/v1/chat/completions`)
  })
})

describe('judgeMetric', () => {
  it('scores every sample and averages', async () => {
    plan = [{ status: 200, body: completion('REASON: ok\nSCORE: 9') }, { status: 200, body: completion('REASON: meh\nSCORE: 3') }, { status: 200, body: completion('SCORE: 6') }]
    const result = await judgeMetric({ baseUrl, model: 'm', apiKey }, [sample, sample, sample], { ...fast, concurrency: 1 })
    expect(result.perSample.map((r) => r.score)).toEqual([9, 3, 6])
    expect(result.mean).toBe(6)
  })
  it('stops at the first failure and throws it', async () => {
    plan = [{ status: 401, body: '{}' }]
    await expect(judgeMetric({ baseUrl, model: 'm', apiKey }, [sample, sample, sample, sample], { ...fast, concurrency: 2 })).rejects.toThrow(/API key in Settings/)
    expect(seen.length).toBeLessThanOrEqual(2)
  })
  it('refuses a template with a field it cannot fill before sending anything', async () => {
    await expect(judgeMetric({ baseUrl, model: 'm', apiKey }, [sample], { template: 'Rate {_ANSWER}' })).rejects.toThrow(/\{_ANSWER\}/)
    expect(seen).toHaveLength(0)
  })
})

describe('parsing', () => {
  it('reads scores in the forms judges write them', () => {
    expect(parseScore('REASON: fine\nSCORE: 7')).toBe(7)
    expect(parseScore('EXPLANATION: a score 2 would be unfair.\nSCORE: 8.5')).toBe(8.5)
    expect(parseScore('**Score:** 9')).toBe(9)
    expect(parseScore('**SCORE**: 4')).toBe(4)
    expect(parseScore('score = 3')).toBe(3)
    expect(parseScore('SCORE: 7/10')).toBe(7)
    expect(parseScore('SCORE: 0.8/1')).toBeCloseTo(8, 12)
    expect(parseScore('I would rate it 6/10.')).toBe(6)
    expect(parseScore(' 10 ')).toBe(10)
  })
  it('refuses what is not a score from 0 to 10', () => {
    for (const answer of ['', 'good', 'SCORE: 11', 'SCORE: -1', 'SCORE: excellent']) expect(() => parseScore(answer), answer).toThrow(JudgeError)
  })
  it('fills H2O placeholders with Python format escapes', () => {
    expect(fillTemplate('{{x}} {_PROMPT}|{_TARGET_TEXT}|{_PREDICTED_TEXT}', { prompt: 'p', targetText: 't', predictedText: 'a' })).toBe('{x} p|t|a')
  })
  it('builds the chat completions URL from the base URL', () => {
    expect(chatCompletionsUrl('https://api.openai.com/v1')).toBe('https://api.openai.com/v1/chat/completions')
    expect(chatCompletionsUrl('http://127.0.0.1:8000/')).toBe('http://127.0.0.1:8000/v1/chat/completions')
    expect(chatCompletionsUrl('https://x.example/openai/v1/chat/completions')).toBe('https://x.example/openai/v1/chat/completions')
  })
})
