import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort } from './free-port.js'
import { guardCleanup } from './guard.js'
import type { Running } from './shared.js'

export interface RgwService {
  /** The export lines of `scripts/s3-rgw.sh start`: S3_ENDPOINT, S3_ACCESS_KEY, S3_SECRET_KEY, S3_BUCKET… */
  env: Record<string, string>
  /** Its RGW_DIR: config, logs, and the daemons' pid files under run/. */
  dir: string
}

const SCRIPT = fileURLToPath(new URL('../../scripts/s3-rgw.sh', import.meta.url))

function run(file: string, args: string[], env: NodeJS.ProcessEnv, detached: boolean) {
  const child = spawn(file, args, { env, detached, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (c: Buffer) => {
    stdout += c
  })
  child.stderr.on('data', (c: Buffer) => {
    stderr += c
  })
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code) => resolve({ code, stdout, stderr }))
  })
  return { pid: child.pid, done }
}

/**
 * A private Ceph RGW (scripts/s3-rgw.sh) in its own temp dir on free ports. The guard is told
 * before anything starts: if this process goes away mid-start it kills the start script's process
 * group, then `s3-rgw.sh stop` kills the daemons by their pid files and deletes the dir.
 */
export async function startRgw(settings: Record<string, string> = {}): Promise<Running<RgwService>> {
  const dir = await mkdtemp(join(tmpdir(), `shuttle-rgw-run${process.pid}-`))
  const ports = { RGW_PORT: await freePort(), MON_V2_PORT: await freePort(), MON_V1_PORT: await freePort() }
  const own = {
    ...settings,
    RGW_DIR: dir,
    ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
  }
  const env = { ...process.env, ...own }
  const stop = { file: SCRIPT, args: ['stop'], env: own }
  const start = run(SCRIPT, ['start'], env, true)
  const guard = guardCleanup('rgw', { killGroups: start.pid ? [start.pid] : [], exec: stop })
  const out = await start.done
  // The start script has exited: its group id may be reused, only the pid files count now.
  guard.update({ exec: stop })
  if (out.code !== 0) {
    await run(SCRIPT, ['stop'], { ...env, KEEP_RGW_DIR: '1' }, false).done
    guard.drop()
    throw new Error(
      `scripts/s3-rgw.sh start failed (exit ${out.code}; logs in ${dir}/log):\n${out.stderr.trim()}`,
    )
  }
  const exported: Record<string, string> = {}
  for (const m of out.stdout.matchAll(/^export (\w+)=(.*)$/gm)) exported[m[1] as string] = m[2] as string
  return {
    value: { env: exported, dir },
    stop: async () => {
      await run(SCRIPT, ['stop'], env, false).done
      guard.drop()
    },
  }
}

/** The PIDs of the monitor, the OSD and radosgw, from their pid files. */
export function rgwPids(dir: string): number[] {
  return ['mon.a', 'osd.0', 'client.rgw.a'].map((n) =>
    Number(readFileSync(join(dir, 'run', `${n}.pid`), 'utf8')),
  )
}
