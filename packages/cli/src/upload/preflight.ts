/**
 * Asks the endpoint for its tus capabilities once, so an unreachable server is reported in a
 * second instead of after every file's retries. Any HTTP answer counts as reachable.
 * Returns a message when the endpoint cannot be reached, undefined otherwise.
 */
export async function checkEndpoint(
  endpoint: string,
  headers: Record<string, string>,
): Promise<string | undefined> {
  try {
    const res = await fetch(endpoint, {
      method: 'OPTIONS',
      headers: { ...headers, 'Tus-Resumable': '1.0.0' },
      signal: AbortSignal.timeout(10_000),
    })
    await res.body?.cancel()
    return undefined
  } catch (err) {
    const cause = (err as { cause?: NodeJS.ErrnoException }).cause
    const code = cause?.code ?? (err as Error).name
    const why =
      code === 'ECONNREFUSED'
        ? 'connection refused: is the server running, and is the port right?'
        : code === 'ENOTFOUND'
          ? 'host not found: check the host name'
          : code === 'TimeoutError'
            ? 'no answer within 10 s'
            : `${code}${cause?.message ? `: ${cause.message}` : ''}`
    return `cannot reach ${endpoint} (${why})`
  }
}
