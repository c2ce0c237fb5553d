import { setTimeout as sleep } from 'node:timers/promises'

export interface PreflightOptions {
  /** Delay before each retry (the uploads' backoff); its length is the number of retries. */
  retryDelays: readonly number[]
  /** One try's limit before it counts as failed. */
  timeoutMs?: number
  /** After this long without an answer, say what we are waiting for. */
  noticeMs?: number
  /** Prints one line for a person (nothing when --quiet). */
  say(line: string): void
}

/**
 * Asks the endpoint for its tus capabilities (OPTIONS) before any file starts, so an unreachable
 * server is reported once instead of once per file. A failed try is retried with the same backoff
 * as uploads; any HTTP answer counts as reachable. Returns a message when every try failed.
 */
export async function checkEndpoint(
  endpoint: string,
  headers: Record<string, string>,
  o: PreflightOptions,
): Promise<string | undefined> {
  const timeoutMs = o.timeoutMs ?? 10_000
  for (let attempt = 0; ; attempt++) {
    const notice = setTimeout(
      () => o.say(`waiting for ${endpoint} to answer (OPTIONS, the tus capabilities request)…`),
      o.noticeMs ?? 2_000,
    )
    const why = await askOnce(endpoint, headers, timeoutMs)
    clearTimeout(notice)
    if (why === undefined) return undefined
    const delay = o.retryDelays[attempt]
    if (delay === undefined) {
      const tries = attempt + 1
      return `cannot reach ${endpoint} (${why})${tries > 1 ? `; gave up after ${tries} tries` : ''}`
    }
    o.say(
      `cannot reach ${endpoint} yet (${why}); retry ${attempt + 1} of ${o.retryDelays.length} in ${(delay / 1000).toFixed(1)}s`,
    )
    await sleep(delay)
  }
}

/** One OPTIONS: undefined when the server answered, else why not. */
async function askOnce(
  endpoint: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<string | undefined> {
  try {
    const res = await fetch(endpoint, {
      method: 'OPTIONS',
      headers: { ...headers, 'Tus-Resumable': '1.0.0' },
      signal: AbortSignal.timeout(timeoutMs),
    })
    await res.body?.cancel()
    return undefined
  } catch (err) {
    const cause = (err as { cause?: NodeJS.ErrnoException }).cause
    const code = cause?.code ?? (err as Error).name
    return code === 'ECONNREFUSED'
      ? 'connection refused: is the server running, and is the port right?'
      : code === 'ENOTFOUND'
        ? 'host not found: check the host name'
        : code === 'TimeoutError'
          ? `no answer within ${timeoutMs / 1000} s`
          : `${code}${cause?.message ? `: ${cause.message}` : ''}`
  }
}
