import { fork } from 'node:child_process'
import { once } from 'node:events'

// Every child this process started; killed (by pid, one by one) if the bench exits early.
const children = new Set()

function killAll() {
  for (const child of children) {
    try {
      child.kill('SIGKILL')
    } catch {
      // already gone
    }
  }
  children.clear()
}

process.once('exit', killAll)
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    killAll()
    process.exit(130)
  })
}

/**
 * Forks a bench child (an .mjs file) with an IPC channel. `execArgv` adds Node flags such as
 * --cpu-prof. The child sends `{ type, ... }` messages; `next(type)` waits for the next one.
 */
export function spawnChild(script, args = [], { execArgv = [], env } = {}) {
  const child = fork(script, args.map(String), {
    execArgv,
    env: env ? { ...process.env, ...env } : process.env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  children.add(child)
  const waiting = new Map()
  const queued = []
  const listeners = new Set()
  let exitInfo
  child.on('message', (msg) => {
    for (const fn of listeners) fn(msg)
    const w = waiting.get(msg.type)
    if (w) {
      waiting.delete(msg.type)
      w.resolve(msg)
    } else if (msg.type !== 'progress') queued.push(msg)
  })
  const exited = once(child, 'exit').then(([code, signal]) => {
    children.delete(child)
    exitInfo = { code, signal }
    for (const w of waiting.values())
      w.reject(
        new Error(
          `${script} exited (${code ?? signal}) before sending "${[...waiting.keys()].join('", "')}"`,
        ),
      )
    waiting.clear()
    return exitInfo
  })
  return {
    pid: child.pid,
    send: (msg) => child.send(msg),
    onMessage(fn) {
      listeners.add(fn)
      return () => listeners.delete(fn)
    },
    /** Resolves with the next message of this type (or rejects with the child's error message). */
    next(type, timeoutMs = 600_000) {
      const i = queued.findIndex((m) => m.type === type || m.type === 'error')
      if (i >= 0) {
        const [msg] = queued.splice(i, 1)
        return msg.type === 'error' ? Promise.reject(new Error(msg.message)) : Promise.resolve(msg)
      }
      if (exitInfo)
        return Promise.reject(new Error(`${script} already exited (${exitInfo.code ?? exitInfo.signal})`))
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(type)
          reject(new Error(`${script}: no "${type}" within ${timeoutMs} ms`))
        }, timeoutMs)
        const settle = (fn) => (v) => {
          clearTimeout(timer)
          waiting.delete('error')
          fn(v)
        }
        waiting.set(type, { resolve: settle(resolve), reject: settle(reject) })
        waiting.set('error', { resolve: settle((m) => reject(new Error(m.message))), reject: settle(reject) })
      })
    },
    kill(signal = 'SIGKILL') {
      if (!exitInfo) child.kill(signal)
      return exited
    },
    exited,
  }
}
