// One 1 GiB file onto Ceph RGW: `shuttle serve --store s3` against @tus/server + @tus/s3-store,
// in one request and in 8 MiB chunks, and the RGW ceiling in the same run (the AWS SDK's multipart
// Upload from @aws-sdk/lib-storage straight to the bucket). The same minimal tus client (POST, then
// PATCHes streamed from the file) drives both servers, so the rows compare the servers.
import { spawn, spawnSync } from 'node:child_process'
import { createReadStream, readFileSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import http from 'node:http'
import os from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { sha256Of } from '../files.mjs'
import { shuttleServeArgs, startChild } from '../start-child.mjs'
import { MiB } from '../stats.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const ROOT = join(here, '..', '..', '..')
const RGW_SCRIPT = join(ROOT, 'scripts', 's3-rgw.sh')
const CHUNK = 8 * MiB

/**
 * Runs the S3 rows: returns { rows: [{ id, label, runs: [{ seconds, mibps, peakRss }] }], error? }.
 * Uses S3_ENDPOINT/S3_ACCESS_KEY/S3_SECRET_KEY when set, else starts a Ceph RGW of its own
 * (scripts/s3-rgw.sh) and stops it at the end; skipped with a sentence when neither is possible.
 */
export async function runS3({ path, size, reps, log }) {
  // RGW frees deleted objects' space only in its garbage collection, hours later: the OSD must hold
  // every byte the run writes (5 rows × reps), with room to spare.
  const osdGb = Math.ceil((size * 5 * reps * 1.25) / 1024 ** 3) + 4
  const rgw = process.env.S3_ENDPOINT ? undefined : await startRgw(log, osdGb)
  const env = rgw?.env ?? process.env
  const s3 = await import('@aws-sdk/client-s3')
  const { Upload } = await import('@aws-sdk/lib-storage')
  const client = new s3.S3Client({
    endpoint: env.S3_ENDPOINT,
    region: env.S3_REGION || 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: env.S3_ACCESS_KEY, secretAccessKey: env.S3_SECRET_KEY },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  })
  const bucket = `bench-${process.pid}-${Date.now().toString(36)}`
  await client.send(new s3.CreateBucketCommand({ Bucket: bucket }))
  const s3Env = { ...process.env, ...env, S3_BUCKET: bucket }
  const rows = [
    { id: 'ceiling', label: 'RGW ceiling: @aws-sdk/lib-storage Upload (8 MiB parts, 4 at once)' },
    { id: 'shuttle-stream', label: 'shuttle serve --store s3, 1 request' },
    { id: 'peer-stream', label: '@tus/server + @tus/s3-store, 1 request' },
    { id: 'shuttle-chunked', label: 'shuttle serve --store s3, 8 MiB chunks' },
    { id: 'peer-chunked', label: '@tus/server + @tus/s3-store, 8 MiB chunks' },
  ].map((r) => ({ ...r, runs: [] }))
  const expected = sha256Of(path)
  try {
    for (let rep = 0; rep < reps; rep++) {
      // Interleaved, so drift in the machine's load spreads over every row.
      for (const row of rows) {
        const key = `${row.id}-${rep}`
        let run
        if (row.id === 'ceiling') {
          const started = performance.now()
          await new Upload({
            client,
            params: { Bucket: bucket, Key: key, Body: createReadStream(path, { highWaterMark: MiB }) },
            partSize: CHUNK,
            queueSize: 4,
          }).done()
          run = { seconds: (performance.now() - started) / 1000, peakRss: undefined, key }
        } else {
          const server = row.id.startsWith('shuttle')
            ? await startShuttle(s3Env, bucket)
            : await startPeer(s3Env)
          try {
            const started = performance.now()
            const id = await tusUpload(server.endpoint, path, size, row.id.endsWith('chunked') ? CHUNK : size)
            run = {
              seconds: (performance.now() - started) / 1000,
              peakRss: peakRss(server.child.pid),
              key: row.id.startsWith('shuttle') ? `tus/${id}` : id,
            }
          } finally {
            server.child.kill('SIGKILL')
          }
        }
        const head = await client.send(new s3.HeadObjectCommand({ Bucket: bucket, Key: run.key }))
        if (head.ContentLength !== size)
          throw new Error(`${row.label}: the object holds ${head.ContentLength} of ${size} bytes`)
        // The bytes themselves, once per row (hashing 1 GiB costs seconds).
        if (rep === 0) {
          const got = await objectSha256(client, s3, bucket, run.key)
          if (got !== expected) throw new Error(`${row.label}: the object's sha256 differs from the file's`)
        }
        await client.send(new s3.DeleteObjectCommand({ Bucket: bucket, Key: run.key }))
        run.mibps = size / MiB / run.seconds
        row.runs.push(run)
        log(
          `  ${row.label}: ${run.mibps.toFixed(0)} MiB/s${run.peakRss ? `, server peak RSS ${(run.peakRss / MiB).toFixed(0)} MiB` : ''}`,
        )
      }
    }
  } finally {
    await emptyBucket(client, s3, bucket).catch(() => {})
    client.destroy()
    await rgw?.stop()
  }
  return { rows }
}

async function objectSha256(client, s3, bucket, key) {
  const { createHash } = await import('node:crypto')
  const out = await client.send(new s3.GetObjectCommand({ Bucket: bucket, Key: key }))
  const hash = createHash('sha256')
  for await (const chunk of out.Body) hash.update(chunk)
  return hash.digest('hex')
}

async function emptyBucket(client, s3, bucket) {
  const open = await client.send(new s3.ListMultipartUploadsCommand({ Bucket: bucket }))
  for (const u of open.Uploads ?? [])
    await client.send(
      new s3.AbortMultipartUploadCommand({ Bucket: bucket, Key: u.Key, UploadId: u.UploadId }),
    )
  const objects = await client.send(new s3.ListObjectsV2Command({ Bucket: bucket }))
  for (const o of objects.Contents ?? [])
    await client.send(new s3.DeleteObjectCommand({ Bucket: bucket, Key: o.Key }))
  await client.send(new s3.DeleteBucketCommand({ Bucket: bucket }))
}

/** VmHWM of a live process: its peak resident set. */
function peakRss(pid) {
  const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m ? Number(m[1]) * 1024 : undefined
}

function startShuttle(env, bucket) {
  return startChild(shuttleServeArgs(['--max-size', 'none', '--store', 's3', '--s3-bucket', bucket]), env)
}

function startPeer(env) {
  return startChild([join(here, '..', 's3-peer-child.mjs')], env, /listening (\d+)/)
}

/** POST, then PATCHes of `chunk` bytes streamed from the file; resolves with the upload's id. */
async function tusUpload(endpoint, path, size, chunk) {
  const created = await request(endpoint, 'POST', { 'Upload-Length': String(size) })
  if (created.status !== 201) throw new Error(`POST answered ${created.status}: ${created.text}`)
  const url = new URL(created.location, endpoint).toString()
  for (let offset = 0; offset < size; offset += chunk) {
    const end = Math.min(offset + chunk, size)
    const body = createReadStream(path, { start: offset, end: end - 1, highWaterMark: MiB })
    const res = await request(
      url,
      'PATCH',
      {
        'Upload-Offset': String(offset),
        'Content-Type': 'application/offset+octet-stream',
        'Content-Length': String(end - offset),
      },
      body,
    )
    if (res.status !== 204 || Number(res.offset) !== end)
      throw new Error(`PATCH ${offset}-${end} answered ${res.status} at ${res.offset}: ${res.text}`)
  }
  return new URL(url).pathname.split('/').pop()
}

function request(url, method, headers, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: { 'Tus-Resumable': '1.0.0', ...headers } }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (c) => {
        text += c
      })
      res.on('end', () =>
        resolve({
          status: res.statusCode,
          location: res.headers.location,
          offset: res.headers['upload-offset'],
          text,
        }),
      )
    })
    req.on('error', reject)
    if (body) body.pipe(req)
    else req.end()
  })
}

/**
 * A Ceph RGW of the bench's own (scripts/s3-rgw.sh) in a temp dir of its own (its pid files must
 * outlive the bench's temp dir, which goes first on exit), on free ports; stopped by its pid files
 * at the end, and on exit if the bench is interrupted.
 */
async function startRgw(log, osdGb) {
  const net = await import('node:net')
  const free = () =>
    new Promise((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address()
        s.close(() => resolve(port))
      })
    })
  const own = {
    RGW_DIR: await mkdtemp(join(os.tmpdir(), 'shuttle-bench-rgw-')),
    RGW_PORT: String(await free()),
    MON_V2_PORT: String(await free()),
    MON_V1_PORT: String(await free()),
    OSD_SIZE_GB: String(osdGb),
  }
  const run = (cmd) =>
    new Promise((resolve, reject) => {
      const child = spawn(RGW_SCRIPT, [cmd], {
        env: { ...process.env, ...own },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let out = ''
      let err = ''
      child.stdout.on('data', (c) => {
        out += c
      })
      child.stderr.on('data', (c) => {
        err += c
      })
      child.once('error', reject)
      child.once('close', (code) =>
        code === 0 ? resolve(out) : reject(new Error(`s3-rgw.sh ${cmd}: exit ${code}\n${err}`)),
      )
    })
  const stopNow = () => spawnSync(RGW_SCRIPT, ['stop'], { env: { ...process.env, ...own }, stdio: 'ignore' })
  process.once('exit', stopNow)
  log('  starting Ceph RGW (scripts/s3-rgw.sh)')
  let out
  try {
    out = await run('start')
  } catch (err) {
    await run('stop').catch(() => {})
    throw err
  }
  const env = {}
  for (const m of out.matchAll(/^export (\w+)=(.*)$/gm)) env[m[1]] = m[2]
  return {
    env,
    stop: async () => {
      await run('stop').catch(() => {})
      process.off('exit', stopNow)
    },
  }
}
