import { NetworkError } from '@shuttle/core'

/**
 * The token flow an app runs against its own backend, here against `shuttle serve --demo-tokens`
 * (POST /demo-token, DEMO ONLY: a public secret). The page asks for a token before its first
 * upload request and again when the engine reports it expired (onAuthExpired, which the engine
 * calls once for all files at a time). The anonymous subject is kept per browser, so a reload
 * resumes uploads that belong to the same subject.
 */
export interface DemoTokens {
  /** Headers for the next request: the current token, fetched first if there is none yet. */
  headers(): Promise<Record<string, string>>
  /**
   * Fetches a new token (the engine's onAuthExpired); false when the server needs none, so a 401
   * from the upload endpoint stands as it is.
   */
  refresh(): Promise<false | undefined>
  /** Tokens fetched so far; 0 while the server requires none. */
  readonly fetched: number
}

const SUBJECT_KEY = 'shuttle-demo-subject'

export function createDemoTokens(
  onFetched: (count: number) => void = () => {},
  url = '/demo-token',
): DemoTokens {
  let token: string | undefined
  // A server started without --demo-tokens answers 404: it needs no token.
  let required = true
  let fetched = 0
  let pending: Promise<void> | undefined

  const fetchToken = async () => {
    const subject = readSubject()
    let res: Response
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: subject ? JSON.stringify({ subject }) : '',
      })
    } catch (cause) {
      // Offline for a moment: the engine backs off and asks again instead of failing the file.
      throw new NetworkError('Could not reach the token endpoint', { cause })
    }
    // 204: `shuttle serve` without tokens; 404: another server without this endpoint.
    if (res.status === 204 || res.status === 404) {
      required = false
      return
    }
    const body = (await res.json().catch(() => ({}))) as { token?: string; subject?: string; error?: string }
    if (!res.ok || !body.token) throw new Error(body.error ?? `The token endpoint answered ${res.status}`)
    if (body.subject) writeSubject(body.subject)
    token = body.token
    fetched++
    onFetched(fetched)
  }
  // One request at a time, for the first token as for refreshes.
  const once = () => {
    pending ??= fetchToken().finally(() => {
      pending = undefined
    })
    return pending
  }
  return {
    async headers(): Promise<Record<string, string>> {
      if (required && token === undefined) await once()
      return token === undefined ? {} : { Authorization: `Bearer ${token}` }
    },
    async refresh() {
      await once()
      return required ? undefined : false
    },
    get fetched() {
      return fetched
    },
  }
}

function readSubject(): string | null {
  try {
    return localStorage.getItem(SUBJECT_KEY)
  } catch {
    return null // storage disabled: a new subject per page load
  }
}

function writeSubject(subject: string): void {
  try {
    localStorage.setItem(SUBJECT_KEY, subject)
  } catch {
    // see readSubject
  }
}
