/**
 * The "OpenAI API" validation metric: an LLM judge behind any OpenAI-compatible chat completions endpoint
 * (OpenAI, Azure-style proxies, vLLM, Ollama, LM Studio, llama.cpp server...). Base URL, model and API key
 * come from Settings; metric_gpt_model and metric_gpt_template from the config.
 *
 * As H2O LLM Studio's gpt_score (text_causal_language_modeling_metrics.py): fill a template with the
 * sample's prompt, reference answer and predicted answer; ask at temperature 0 with the system message
 * "You are a helpful and precise assistant for checking the quality of the answer."; read the number after
 * the last "SCORE:". Our built-in template asks for a short reason and a score from 0 to 10 (H2O's
 * general.txt asks for 0..1; a template may say either: "SCORE: 0.7/1" style fractions are scaled to 0..10).
 * Templates use H2O's placeholders {_PROMPT}, {_TARGET_TEXT}, {_PREDICTED_TEXT} (Python format syntax,
 * "{{" and "}}" for literal braces), so H2O's prompt files work here.
 *
 * Departures from H2O, on purpose: a failed sample is an error, not a silent 0 (a 401 or a wrong URL would
 * otherwise report a metric of 0 that looks like a bad model); retries are for 429, 5xx, timeouts and
 * network errors only, with exponential backoff that honours Retry-After.
 * The API key goes only into the Authorization header: no message or log line this module makes contains
 * it (error bodies are scrubbed of it too).
 */

export interface JudgeEndpoint {
  /** e.g. https://api.openai.com/v1 or http://127.0.0.1:8000 (then /v1 is added). */
  baseUrl: string
  model: string
  /** May be empty for local servers that need none. */
  apiKey: string
}

export interface JudgeOptions {
  /** metric_gpt_template: a built-in name ('general') or the template text itself. */
  template?: string
  /** Per request, including reading the answer. */
  timeoutMs?: number
  /** Tries per request, the first included. */
  maxAttempts?: number
  /** First retry waits about this long, doubling after each further failure. */
  backoffMs?: number
  maxBackoffMs?: number
  /** Requests in flight at once (judgeMetric). */
  concurrency?: number
  signal?: AbortSignal
  /** Progress and retry notes, for the experiment log. Never given the key. */
  log?: (line: string) => void
}

export type JudgeErrorKind = 'auth' | 'rate-limit' | 'server' | 'timeout' | 'network' | 'request' | 'malformed'

export class JudgeError extends Error {
  constructor(
    message: string,
    readonly kind: JudgeErrorKind,
    readonly status?: number,
  ) {
    super(message)
    this.name = 'JudgeError'
  }
}

export const judgeSystemMessage = 'You are a helpful and precise assistant for checking the quality of the answer.'

export const builtInTemplates: Record<string, string> = {
  general: [
    'Please act as an impartial judge and evaluate the answer of an AI assistant to the question below, using',
    'the reference answer as ground truth. Consider correctness, helpfulness, relevance and level of detail.',
    '',
    '[Question]',
    '{_PROMPT}',
    '',
    '[Start of Reference Answer]',
    '{_TARGET_TEXT}',
    '[End of Reference Answer]',
    '',
    '[Start of Assistant Answer]',
    '{_PREDICTED_TEXT}',
    '[End of Assistant Answer]',
    '',
    'Give a short reason, then a score from 0 (does not address the question) to 10 (perfect), exactly in',
    'two lines:',
    'REASON: ...',
    'SCORE: ...',
  ].join('\n'),
}

export interface JudgeSample {
  prompt: string
  targetText: string
  predictedText: string
}

export interface Judgement {
  /** 0..10 */
  score: number
  reason: string
  /** The judge's whole answer. */
  raw: string
}

/** Python str.format with H2O's fields; an unknown field is an error that names it. */
export function fillTemplate(template: string, sample: JudgeSample): string {
  const fields: Record<string, string> = { _PROMPT: sample.prompt, _TARGET_TEXT: sample.targetText, _PREDICTED_TEXT: sample.predictedText }
  return template.replace(/\{\{|\}\}|\{([^{}]*)\}/g, (match, name: string | undefined) => {
    if (match === '{{') return '{'
    if (match === '}}') return '}'
    const value = fields[name ?? '']
    if (value === undefined) throw new JudgeError(`The judge template has a field {${name}} it cannot fill: use {_PROMPT}, {_TARGET_TEXT} and {_PREDICTED_TEXT} (write {{ and }} for literal braces).`, 'request')
    return value
  })
}

const number = String.raw`(-?\d+(?:\.\d+)?)`

/**
 * The score in a judge's answer, on 0..10: the number after the last "SCORE" label (any case, optional
 * markdown emphasis, ":" or "="), else a lone "N/10"-style fraction, else an answer that is just a number.
 * "N/D" is scaled to N·10/D. Anything else, or a value outside 0..10, is an error quoting the answer.
 */
export function parseScore(answer: string): number {
  const labelled = [...answer.matchAll(new RegExp(String.raw`score\**\s*[:=]?\s*\**\s*${number}(?:\s*/\s*${number})?`, 'gi'))]
  let value: number | undefined
  let denominator: number | undefined
  const last = labelled.at(-1)
  if (last) {
    value = Number(last[1])
    denominator = last[2] === undefined ? undefined : Number(last[2])
  } else {
    const fraction = answer.match(new RegExp(String.raw`${number}\s*/\s*(10|100|5|1)\b`))
    if (fraction) {
      value = Number(fraction[1])
      denominator = Number(fraction[2])
    } else if (/^\s*-?\d+(?:\.\d+)?\s*$/.test(answer)) {
      value = Number(answer.trim())
    }
  }
  if (value !== undefined && denominator !== undefined && denominator > 0) value = (value * 10) / denominator
  if (value === undefined || !Number.isFinite(value) || value < 0 || value > 10) {
    throw new JudgeError(`Could not find a score from 0 to 10 in the judge's answer: "${answer.slice(0, 300)}". Use a template that asks for "SCORE: <0-10>", or a model that follows it.`, 'malformed')
  }
  return value
}

function parseReason(answer: string): string {
  const reason = answer.match(/reason\**\s*[:=]\s*\**\s*([\s\S]*?)(?:\n\s*\**\s*score\b|$)/i)
  const text = reason?.[1] ?? answer.replace(/score\**\s*[:=]?[\s\S]*$/i, '')
  return text.trim()
}

/** {base}/chat/completions, adding /v1 when the base URL has no version path. */
export function chatCompletionsUrl(baseUrl: string): string {
  const base = baseUrl.trim().replace(/\/+$/, '')
  if (/\/chat\/completions$/.test(base)) return base
  return /\/v\d+[a-z]*$/i.test(base) ? `${base}/chat/completions` : `${base}/v1/chat/completions`
}

function scrub(text: string, apiKey: string): string {
  return apiKey.length > 0 ? text.split(apiKey).join('[redacted]') : text
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error)
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(signal?.reason as Error)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

/** Server's own error message, if the body is OpenAI's {"error": {"message": ...}}; else the text. */
function serverMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } | string }
    const message = typeof parsed.error === 'string' ? parsed.error : parsed.error?.message
    if (typeof message === 'string') return message.slice(0, 300)
  } catch {
    // not JSON: fall through
  }
  return body.slice(0, 300)
}

/** One chat completion with retries; returns choices[0].message.content. */
export async function chatCompletion(endpoint: JudgeEndpoint, userMessage: string, options: JudgeOptions = {}): Promise<string> {
  const url = chatCompletionsUrl(endpoint.baseUrl)
  const timeoutMs = options.timeoutMs ?? 60_000
  const maxAttempts = Math.max(1, options.maxAttempts ?? 4)
  const backoffMs = options.backoffMs ?? 1000
  const maxBackoffMs = options.maxBackoffMs ?? 30_000
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' }
  if (endpoint.apiKey) headers.authorization = `Bearer ${endpoint.apiKey}`
  const body = JSON.stringify({
    model: endpoint.model,
    messages: [
      { role: 'system', content: judgeSystemMessage },
      { role: 'user', content: userMessage },
    ],
    temperature: 0,
    max_tokens: 1024,
  })
  const where = `${url} (model ${endpoint.model})`
  let lastError: JudgeError | undefined
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    options.signal?.throwIfAborted()
    let retryAfterMs: number | undefined
    try {
      const signal = options.signal ? AbortSignal.any([options.signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs)
      const response = await fetch(url, { method: 'POST', headers, body, signal })
      const text = await response.text()
      if (response.ok) {
        let content: unknown
        try {
          content = (JSON.parse(text) as { choices?: { message?: { content?: unknown } }[] }).choices?.[0]?.message?.content
        } catch {
          content = undefined
        }
        if (typeof content !== 'string') {
          throw new JudgeError(`The judge endpoint ${where} did not answer with an OpenAI chat completion (no choices[0].message.content): "${scrub(text.slice(0, 300), endpoint.apiKey)}". Check the base URL in Settings.`, 'malformed')
        }
        return content
      }
      const detail = scrub(serverMessage(text), endpoint.apiKey)
      const status = response.status
      if (status === 401 || status === 403) {
        throw new JudgeError(`The judge endpoint ${where} refused the API key (HTTP ${status}: ${detail}). Check the OpenAI API key in Settings.`, 'auth', status)
      }
      if (status === 429 || status >= 500) {
        const retryAfter = Number(response.headers.get('retry-after'))
        if (Number.isFinite(retryAfter) && retryAfter >= 0 && response.headers.get('retry-after') !== null) retryAfterMs = retryAfter * 1000
        lastError =
          status === 429
            ? new JudgeError(`The judge endpoint ${where} kept answering HTTP 429 (rate limited: ${detail}) after ${maxAttempts} tries. Wait, lower the request rate, or check the account's quota.`, 'rate-limit', status)
            : new JudgeError(`The judge endpoint ${where} kept failing with HTTP ${status} (${detail}) after ${maxAttempts} tries. Try again later, or check the server.`, 'server', status)
      } else {
        const hint = status === 404 ? 'Check the base URL in Settings and the model name (metric_gpt_model).' : 'Check the base URL and the model in Settings.'
        throw new JudgeError(`The judge endpoint ${where} answered HTTP ${status}: ${detail}. ${hint}`, 'request', status)
      }
    } catch (error) {
      if (error instanceof JudgeError) throw error
      if (options.signal?.aborted) throw options.signal.reason as Error
      const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')
      const cause = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error)
      lastError = timedOut
        ? new JudgeError(`The judge endpoint ${where} did not answer within ${timeoutMs / 1000} s, ${maxAttempts} tries. Check that the server is up, or use a faster model.`, 'timeout')
        : new JudgeError(`Could not reach the judge endpoint ${where}: ${scrub(cause, endpoint.apiKey)} (${maxAttempts} tries). Check the base URL in Settings and the network.`, 'network')
    }
    if (attempt < maxAttempts) {
      const exponential = backoffMs * 2 ** (attempt - 1) * (0.5 + Math.random() / 2)
      const wait = Math.min(maxBackoffMs, retryAfterMs ?? exponential)
      options.log?.(`judge: ${lastError.kind} on try ${attempt} of ${maxAttempts}, retrying in ${(wait / 1000).toFixed(1)} s`)
      await sleep(wait, options.signal)
    }
  }
  throw lastError ?? new JudgeError('The judge endpoint failed.', 'network')
}

function resolveTemplate(template: string | undefined): string {
  const name = template ?? 'general'
  return builtInTemplates[name] ?? name
}

/** Judges one sample. */
export async function judgeSample(endpoint: JudgeEndpoint, sample: JudgeSample, options: JudgeOptions = {}): Promise<Judgement> {
  const raw = await chatCompletion(endpoint, fillTemplate(resolveTemplate(options.template), sample), options)
  return { score: parseScore(raw), reason: parseReason(raw), raw }
}

/**
 * Judges every sample, `concurrency` at a time; the metric is the mean score (higher is better).
 * The first failure stops the rest and is thrown.
 */
export async function judgeMetric(endpoint: JudgeEndpoint, samples: JudgeSample[], options: JudgeOptions = {}): Promise<{ perSample: Judgement[]; mean: number }> {
  const template = resolveTemplate(options.template)
  // Fail on a bad template before the first request.
  if (samples[0]) fillTemplate(template, samples[0])
  const results = new Array<Judgement>(samples.length)
  const stop = new AbortController()
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal
  let next = 0
  let failure: unknown
  const worker = async (): Promise<void> => {
    while (next < samples.length && failure === undefined) {
      const index = next++
      try {
        results[index] = await judgeSample(endpoint, samples[index]!, { ...options, template, signal })
      } catch (error) {
        if (failure === undefined) failure = error
        stop.abort(error)
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(Math.max(1, options.concurrency ?? 4), samples.length) }, worker))
  if (failure !== undefined) throw failure
  const mean = results.length > 0 ? results.reduce((sum, r) => sum + r.score, 0) / results.length : Number.NaN
  options.log?.(`judge: ${results.length} answers scored by ${endpoint.model}, mean ${mean.toFixed(2)} / 10`)
  return { perSample: results, mean }
}
