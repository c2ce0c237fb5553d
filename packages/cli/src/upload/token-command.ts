import { spawn } from 'node:child_process'
import { UploadError } from '@shuttle/protocol'

/**
 * Runs `--token-command` through the shell and returns what it printed (one token). A command that
 * fails, prints nothing or prints more than a token is an ERR_AUTH_EXPIRED saying so, with its stderr.
 */
export function runTokenCommand(command: string, timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, { shell: true, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs })
    let out = ''
    let err = ''
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      out += c
    })
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      err += c
    })
    const failed = (why: string) =>
      reject(
        new UploadError(
          'ERR_AUTH_EXPIRED',
          `--token-command ${why}${err.trim() ? `: ${err.trim().slice(0, 300)}` : ''}`,
        ),
      )
    child.on('error', (e) => failed(`could not run (${e.message})`))
    child.on('close', (code, signal) => {
      if (code !== 0) return failed(signal ? `was stopped (${signal})` : `exited with ${code}`)
      const token = out.trim()
      if (!/^[A-Za-z0-9\-._~+/]+=*$/.test(token)) return failed('did not print one token')
      resolve(token)
    })
  })
}
