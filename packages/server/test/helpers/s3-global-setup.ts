import { execFile } from 'node:child_process'
import { mkdtemp } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import type { TestProject } from 'vitest/node'
import type { S3TestEnv } from './s3-env.js'

// Vitest globalSetup of the 'integration-s3' project: use the S3 engine named by S3_ENDPOINT, or
// start a private Ceph RGW with scripts/s3-rgw.sh and stop it afterwards. Never skips: without an
// engine the run fails and says how to get one.

const run = promisify(execFile)
const script = fileURLToPath(new URL('../../../../scripts/s3-rgw.sh', import.meta.url))

const HOW_TO = `S3 integration tests need a real S3 engine on 127.0.0.1 (no mock S3).
  Install Ceph RGW once (Debian/Ubuntu, root):  sudo scripts/s3-rgw.sh install
  Then either let the tests start it (nothing else to do), or start it yourself:
    eval "$(scripts/s3-rgw.sh start)"   # exports S3_ENDPOINT, S3_ACCESS_KEY, S3_SECRET_KEY, S3_BUCKET…
  or point S3_ENDPOINT/S3_ACCESS_KEY/S3_SECRET_KEY (and S3_REGION) at another S3-compatible engine.`

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    })
  })
}

function parseExports(text: string): Record<string, string> {
  const env: Record<string, string> = {}
  for (const m of text.matchAll(/^export (\w+)=(.*)$/gm)) env[m[1] as string] = m[2] as string
  return env
}

function toTestEnv(env: Record<string, string | undefined>): S3TestEnv {
  return {
    endpoint: env.S3_ENDPOINT as string,
    region: env.S3_REGION || 'us-east-1',
    accessKeyId: env.S3_ACCESS_KEY ?? '',
    secretAccessKey: env.S3_SECRET_KEY ?? '',
    bucket: env.S3_BUCKET || 'shuttle',
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  if (process.env.S3_ENDPOINT) {
    if (!process.env.S3_ACCESS_KEY || !process.env.S3_SECRET_KEY) {
      throw new Error(`S3_ENDPOINT is set but S3_ACCESS_KEY / S3_SECRET_KEY are not.\n${HOW_TO}`)
    }
    project.provide('s3', toTestEnv(process.env))
    return undefined
  }
  try {
    await run('sh', ['-c', 'command -v radosgw && command -v ceph-mon && command -v ceph-osd'])
  } catch {
    throw new Error(`Ceph RGW is not installed and S3_ENDPOINT is not set.\n${HOW_TO}`)
  }
  const dir = await mkdtemp(join(tmpdir(), 'shuttle-rgw-test-'))
  const env = {
    ...process.env,
    RGW_DIR: dir,
    RGW_PORT: String(await freePort()),
    MON_V2_PORT: String(await freePort()),
    MON_V1_PORT: String(await freePort()),
  }
  let out: string
  try {
    out = (await run(script, ['start'], { env, timeout: 180_000 })).stdout
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? String(err)
    throw new Error(`Starting Ceph RGW with scripts/s3-rgw.sh failed:\n${stderr}\n${HOW_TO}`)
  }
  project.provide('s3', toTestEnv(parseExports(out)))
  return async () => {
    await run(script, ['stop'], { env, timeout: 60_000 })
  }
}
