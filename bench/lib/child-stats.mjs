import { readFileSync } from 'node:fs'
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

/**
 * Counts of the work a process did, to compare a slow repetition with a fast one beyond CPU time:
 * read/write system calls (/proc/self/io, Linux), page faults and context switches.
 */
export function workCounters() {
  const r = process.resourceUsage()
  const io = { syscr: 0, syscw: 0 }
  try {
    for (const line of readFileSync('/proc/self/io', 'utf8').split('\n')) {
      const [k, v] = line.split(':')
      if (k === 'syscr' || k === 'syscw') io[k] = Number(v)
    }
  } catch {
    // Not Linux: the syscall counts stay 0.
  }
  return {
    reads: io.syscr,
    writes: io.syscw,
    minorFaults: r.minorPageFault,
    voluntarySwitches: r.voluntaryContextSwitches,
    involuntarySwitches: r.involuntaryContextSwitches,
  }
}

/** What `workCounters()` counted since `base`. */
export function workSince(base) {
  const now = workCounters()
  return Object.fromEntries(Object.entries(now).map(([k, v]) => [k, v - base[k]]))
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
  let workBase = workCounters()
  process.on('message', (msg) => {
    if (msg.type === 'reset') {
      cpuBase = process.cpuUsage()
      workBase = workCounters()
      reset()
      tell({ type: 'reset' })
    } else if (msg.type === 'stats') {
      tell({
        type: 'stats',
        cpuSeconds: cpuSecondsSince(cpuBase),
        cpuSplit: cpuSplitSince(cpuBase),
        work: workSince(workBase),
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
