import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import type { TestProject } from 'vitest/node'
import { type RgwService, startRgw } from '../../../../test/services/rgw.js'
import { type Lease, useService } from '../../../../test/services/shared.js'
import type { S3TestEnv } from './s3-env.js'

// Vitest globalSetup of the S3 projects: use the S3 engine named by S3_ENDPOINT, or start one
// private Ceph RGW for the whole run (shared by every project that lists this file) with
// scripts/s3-rgw.sh, stopped afterwards by PID, also when the run is interrupted (see
// test/services/guard.mjs). Never skips: without an engine the run fails and says how to get one.

const run = promisify(execFile)

const HOW_TO = `S3 integration tests need a real S3 engine on 127.0.0.1 (no mock S3).
  \`npm test\` installs Ceph RGW itself when run as root on Debian; otherwise install it once:
    sudo scripts/s3-rgw.sh install
  Then either let the tests start it (nothing else to do), or start it yourself:
    eval "$(scripts/s3-rgw.sh start)"   # exports S3_ENDPOINT, S3_ACCESS_KEY, S3_SECRET_KEY, S3_BUCKET…
  or point S3_ENDPOINT/S3_ACCESS_KEY/S3_SECRET_KEY (and S3_REGION) at another S3-compatible engine.`

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
  let rgw: Lease<RgwService>
  try {
    rgw = await useService('rgw', startRgw)
  } catch (err) {
    throw new Error(`Starting Ceph RGW failed: ${(err as Error).message}\n${HOW_TO}`)
  }
  project.provide('s3', toTestEnv(rgw.value.env))
  return rgw.release
}
