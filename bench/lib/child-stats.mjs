// Helpers used INSIDE bench children to report their own resource use.

/** CPU seconds (user + system) since `base` (a process.cpuUsage() value). */
export function cpuSecondsSince(base) {
  const d = process.cpuUsage(base)
  return (d.user + d.system) / 1e6
}

/** User and system CPU seconds since `base`, apart (system time is the kernel copying bytes). */
export function cpuSplitSince(base) {
  const d = process.cpuUsage(base)
  return { user: d.user / 1e6, system: d.system / 1e6 }
}

/** Peak resident set size of this process in bytes (VmHWM, the same figure as /proc/<pid>/status). */
export function peakRss() {
  return process.resourceUsage().maxRSS * 1024
}

/** Sends a message to the parent (resolves once handed over); no-op when run standalone. */
export function tell(msg) {
  return new Promise((resolve) => (process.send ? process.send(msg, () => resolve()) : resolve()))
}

/** Reports an uncaught failure to the parent and exits non-zero. */
export function reportFailures() {
  const fail = (err) => {
    tell({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) })
    process.exitCode = 1
    setTimeout(() => process.exit(1), 50)
  }
  process.on('uncaughtException', fail)
  process.on('unhandledRejection', fail)
}

/**
 * Answers the parent's reset / stats / stop messages for a child that serves HTTP
 * (server-child.mjs, discard-child.mjs): CPU since the last reset, peak RSS, plus `stats()`.
 */
export function answerParent(server, { reset = () => {}, stats = () => ({}) } = {}) {
  let cpuBase = process.cpuUsage()
  process.on('message', (msg) => {
    if (msg.type === 'reset') {
      cpuBase = process.cpuUsage()
      reset()
      tell({ type: 'reset' })
    } else if (msg.type === 'stats') {
      tell({
        type: 'stats',
        cpuSeconds: cpuSecondsSince(cpuBase),
        cpuSplit: cpuSplitSince(cpuBase),
        peakRss: peakRss(),
        ...stats(),
      })
    } else if (msg.type === 'stop') {
      server.closeAllConnections()
      server.close(() => process.exit(0))
      setTimeout(() => process.exit(0), 2000).unref()
    }
  })
}
