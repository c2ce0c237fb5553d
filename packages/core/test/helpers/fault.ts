import type { Handler } from './servers.js'

export interface FaultGate {
  /** Wrap a tus handler with it (pass to startServer's `wrap`). */
  wrap(handler: Handler): Handler
  /** While set, every PATCH is answered with this status (after its body is drained). */
  failPatchesWith: number | null
  /** PATCHes answered with the fault status. */
  readonly failed: number
}

/** Makes the server answer PATCH requests with an error status on demand. */
export function createFaultGate(): FaultGate {
  let failed = 0
  const gate: FaultGate = {
    failPatchesWith: null,
    get failed() {
      return failed
    },
    wrap: (handler) => (req, res) => {
      const status = gate.failPatchesWith
      if (req.method !== 'PATCH' || status === null) {
        handler(req, res)
        return
      }
      failed++
      req.resume()
      req.on('end', () => res.writeHead(status, { 'Tus-Resumable': '1.0.0' }).end('injected fault'))
      req.on('error', () => res.destroy())
    },
  }
  return gate
}
