// Chromium's own CPU time, read from /proc (Linux only): utime + stime of every process in the
// browser's tree, split by process type. Only reads /proc; never signals anything.
//
// playwright's `chromium.launch()` gives no pid (`browser.process()` exists only on launchServer,
// whose remote connection would copy the file for setInputFiles). Playwright spawns the browser
// process directly (through /usr/bin/chromium, a shell script that execs the binary), so it is a
// child of this process with `--remote-debugging-pipe` and no `--type=`; every other Chromium
// process (zygotes, renderers, GPU, network and storage services) descends from it.
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'

let ticksPerSecond
function clockTicks() {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
    } catch {
      ticksPerSecond = 100
    }
  }
  return ticksPerSecond
}

/** { pid, ppid, cpu (own, s), childCpu (reaped children, s) } or undefined if it is gone. */
function readStat(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name is in parentheses and may contain spaces: split after the last ')'.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const hz = clockTicks()
    return {
      pid,
      ppid: Number(f[1]),
      cpu: (Number(f[11]) + Number(f[12])) / hz,
      childCpu: (Number(f[13]) + Number(f[14])) / hz,
    }
  } catch {
    return undefined
  }
}

function cmdline(pid) {
  try {
    // Chromium rewrites its argv into one space-separated string; plain programs use NULs.
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')
  } catch {
    return ''
  }
}

function allStats() {
  const out = []
  for (const name of readdirSync('/proc')) {
    if (name.charCodeAt(0) < 48 || name.charCodeAt(0) > 57) continue
    const s = readStat(Number(name))
    if (s) out.push(s)
  }
  return out
}

/** The Chromium browser process that this process launched (a direct child), or undefined. */
export function findBrowserPid(parentPid = process.pid) {
  const found = allStats()
    .filter((s) => s.ppid === parentPid)
    .map((s) => ({ pid: s.pid, cmd: cmdline(s.pid) }))
    .filter(({ cmd }) => cmd.includes('--remote-debugging-pipe') && !cmd.includes('--type='))
  return found.length === 1 ? found[0].pid : undefined
}

/** browser | network | renderer | other, from the process's command line. */
function kindOf(pid, rootPid) {
  if (pid === rootPid) return 'browser'
  const cmd = cmdline(pid)
  const type = cmd.match(/--type=(\S+)/)?.[1]
  if (type === 'renderer') return 'renderer'
  if (type === 'utility' && cmd.includes('--utility-sub-type=network.mojom.NetworkService')) return 'network'
  return 'other'
}

/** CPU seconds so far of every process in the tree under `rootPid` (the root included). */
export function snapshot(rootPid) {
  const stats = allStats()
  const children = new Map()
  for (const s of stats) {
    if (!children.has(s.ppid)) children.set(s.ppid, [])
    children.get(s.ppid).push(s)
  }
  const procs = new Map()
  const root = stats.find((s) => s.pid === rootPid)
  const queue = root ? [root] : []
  while (queue.length) {
    const s = queue.pop()
    procs.set(s.pid, { ...s, kind: kindOf(s.pid, rootPid) })
    queue.push(...(children.get(s.pid) ?? []))
  }
  return procs
}

export const KINDS = ['browser', 'network', 'renderer', 'other']

/**
 * CPU seconds spent between two snapshots, per kind and in total. A process that exited in between
 * is counted through its parent's reaped-children time (cutime + cstime) minus what it had at the
 * first snapshot, under 'other' (it cannot be told apart any more).
 */
export function cpuBetween(before, after) {
  const out = { browser: 0, network: 0, renderer: 0, other: 0, total: 0 }
  for (const [pid, b] of after) {
    const a = before.get(pid)
    out[b.kind] += b.cpu - (a?.cpu ?? 0)
    if (a) out.other += b.childCpu - a.childCpu
  }
  for (const [pid, a] of before) if (!after.has(pid)) out.other -= a.cpu
  out.other = Math.max(0, out.other)
  for (const k of KINDS) out.total += out[k]
  return out
}
