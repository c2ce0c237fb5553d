import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import path from 'node:path'
import { createFileCheckpointStore, createUploader, type FileSnapshot } from '@shuttle/core'
import { formatBytes } from '../units.js'
import { collectFiles, type LocalFile } from './collect-files.js'
import { describeError, isUnauthorized } from './describe-error.js'
import { invocation, shellQuote } from './invocation.js'
import { parseUploadArgs, UPLOAD_HELP } from './options.js'
import { checkEndpoint } from './preflight.js'
import { plainReporter, type Reporter, silentReporter } from './reporter.js'
import { RunState } from './run-state.js'
import { runTokenCommand } from './token-command.js'
import { ttyReporter } from './tty/tty-reporter.js'

/** Exit code when the server refused the credentials (401): rerun with a new token. */
export const EXIT_UNAUTHORIZED = 3

/** Delays before each retry: tus-js-client's first four, then 10 s each. */
export const retryDelaysFor = (n: number) =>
  Array.from({ length: n }, (_, i) => [0, 1000, 3000, 5000][i] ?? 10_000)

/** `shuttle upload`: resolves with the exit code (0 done, 1 failures, 130 paused by Ctrl-C). */
export async function uploadCommand(argv: string[]): Promise<number> {
  const o = parseUploadArgs(argv)
  if (o.help) {
    process.stdout.write(`${UPLOAD_HELP}\n`)
    return 0
  }
  const started = Date.now()
  const { files, missing } = await collectFiles(o.inputs)
  const failures: { name: string; reason: string; unauthorized?: boolean }[] = missing.map((m) => ({
    name: m.input,
    reason: m.reason,
  }))
  for (const m of missing) process.stderr.write(`shuttle: ${m.input}: ${m.reason}\n`)
  if (files.length === 0) {
    process.stderr.write('shuttle: nothing to upload\n')
    return 1
  }
  // --token-command: a token now, and a new one whenever the server says it expired.
  let token: string | undefined
  if (o.tokenCommand !== undefined) {
    try {
      token = await runTokenCommand(o.tokenCommand)
    } catch (err) {
      process.stderr.write(`shuttle: ${describeError(err)}\n`)
      return EXIT_UNAUTHORIZED
    }
  }
  const headers = () => (token === undefined ? o.headers : { ...o.headers, Authorization: `Bearer ${token}` })
  const unreachable = await checkEndpoint(o.endpoint, headers(), {
    retryDelays: retryDelaysFor(o.retries),
    say: (line) => {
      if (!o.quiet) process.stderr.write(`${line}\n`)
    },
  })
  if (unreachable) {
    process.stderr.write(`shuttle: ${unreachable}\n`)
    return 1
  }

  const state = new RunState(o.stateDir, o.endpoint, o.inputs)
  await state.load()
  const skipped: { file: LocalFile; url: string }[] = []
  const toUpload: LocalFile[] = []
  for (const f of files) {
    const plan = state.plan(f)
    if (plan.kind === 'done') {
      skipped.push({ file: f, url: plan.url })
      continue
    }
    if (plan.kind === 'changed') {
      process.stderr.write(
        `shuttle: ${f.relativePath} changed since its checkpoint (was ${formatBytes(plan.before.size)}, modified ${new Date(
          plan.before.mtimeMs,
        ).toISOString()}); uploading it from the start\n`,
      )
    }
    toUpload.push(f)
  }
  await state.save()

  const reporter: Reporter = o.quiet
    ? silentReporter()
    : process.stderr.isTTY
      ? ttyReporter()
      : plainReporter()
  const uploader = createUploader({
    endpoint: o.endpoint,
    protocol: o.protocol,
    ...(o.protocol === 's3' ? { s3: o.partSize === undefined ? {} : { partSize: o.partSize } } : {}),
    chunkSize: o.chunkSize,
    parallelUploads: o.parallelParts,
    maxConcurrentUploads: o.parallel,
    headers,
    ...(o.tokenCommand === undefined
      ? {}
      : {
          onAuthExpired: async () => {
            token = await runTokenCommand(o.tokenCommand as string)
          },
        }),
    metadata: o.meta,
    retryDelays: retryDelaysFor(o.retries),
    checksum: o.verify,
    checkpointStore: createFileCheckpointStore(path.join(o.stateDir, 'checkpoints')),
  })
  const byId = new Map<string, LocalFile>()
  const label = (id: string) => byId.get(id)?.relativePath ?? id
  let doneCount = 0
  let doneBytes = 0
  let alreadyCount = 0
  const jsonLines: Promise<void>[] = []
  if (skipped.length > 0) reporter.line('Already uploaded by the interrupted run:')
  for (const { file, url } of skipped) {
    reporter.finished('', file.relativePath, url)
    doneCount++
    if (o.json) {
      jsonLines.push(
        (o.verify ? storedDigest(url, o.headers) : Promise.resolve(undefined)).then((d) =>
          printJsonLine(file, url, d, true),
        ),
      )
    }
  }
  let settle: () => void = () => {}
  const allSettled = new Promise<void>((resolve) => {
    settle = resolve
  })
  // Files done whose 'completed' event (and so JSON line, with the server's digest) is still to come.
  const awaitingLine = new Map<string, string>()
  const checkSettled = () => {
    if (doneCount + failures.length - missing.length === files.length && awaitingLine.size === 0) settle()
  }

  // After Ctrl-C the bars are gone for good: late events must not draw them again.
  let stopping = false
  uploader.on('state-change', ({ id, to }) => {
    const f = byId.get(id)
    if (!f || stopping) return
    if (to.status === 'uploading') reporter.started(id, f.relativePath, f.size)
    if (to.status === 'paused') reporter.paused(id, f.relativePath)
  })
  uploader.on('progress', ({ id, bytesSent, bytesTotal, speed }) => {
    if (!stopping) reporter.progress(id, bytesSent, bytesTotal, speed)
  })
  // The engine learns a file's size only when it prepares it; we stat'ed them all already.
  const grandTotal = toUpload.reduce((n, f) => n + f.size, 0)
  uploader.on('total-progress', ({ bytesSent, speed }) => {
    if (stopping) return
    const sent = Math.min(grandTotal, bytesSent)
    reporter.total(sent, grandTotal, speed, speed > 0 ? (grandTotal - sent) / speed : null)
  })
  uploader.on('retry', ({ id, attempt, delay, error }) =>
    reporter.retrying(id, label(id), attempt, delay, describeError(error)),
  )
  // A file counts as done the moment its state says so: the 'completed' event comes a little later
  // (after the source closes), and a Ctrl-C in between must not lose it, or the next run would
  // find no checkpoint (the engine dropped it) and upload the whole file again.
  const finishedIds = new Set<string>()
  const onDone = (id: string, url: string) => {
    const f = byId.get(id)
    if (!f || finishedIds.has(id)) return
    finishedIds.add(id)
    // Instant upload (the server held this content and the proof passed), or found finished.
    const already = uploader.getFile(id)?.alreadyUploaded === true
    reporter.finished(id, already ? `${f.relativePath} (already on the server)` : f.relativePath, url)
    state.finished(f, url)
    void state.save()
    doneCount++
    if (already) alreadyCount++
    else doneBytes += f.size
    if (o.json) awaitingLine.set(id, url)
    checkSettled()
  }
  uploader.on('state-change', ({ id, to }) => {
    if (to.status === 'completed') onDone(id, to.url)
  })
  // The JSON line waits for 'completed': it carries the digest the server confirmed.
  uploader.on('completed', ({ id, url, verified, instant, identity }) => {
    onDone(id, url)
    const f = byId.get(id)
    if (o.json && f && awaitingLine.delete(id)) {
      const extra = { instant: instant === true, ...(identity ? { identity: identity.digest } : {}) }
      // Finished with nothing sent: the server's Repr-Digest of the shared bytes comes from a HEAD
      // and is compared with the file's own sha256 before the line says verified.
      jsonLines.push(
        instant && !verified
          ? storedDigest(url, o.headers).then((d) => printJsonLine(f, url, d, true, extra))
          : printJsonLine(f, url, verified?.digest, false, extra),
      )
    }
    checkSettled()
  })
  let damaged = 0
  uploader.on('checksum-mismatch', ({ id, offset }) => {
    damaged++
    if (!stopping) {
      reporter.line(
        `${label(id)}: the server refused damaged bytes from offset ${offset} (checksum mismatch, 460); sending them again`,
      )
    }
  })
  uploader.on('failed', ({ id, error }) => {
    const reason = describeError(error)
    reporter.failed(id, label(id), reason)
    failures.push({ name: label(id), reason, unauthorized: isUnauthorized(error) })
    checkSettled()
  })

  checkSettled()
  for (const f of toUpload) {
    const [id] = uploader.add({ path: f.path, name: path.basename(f.path) }, { relativePath: f.relativePath })
    if (id) byId.set(id, f)
  }

  const interrupted = await Promise.race([
    allSettled.then(() => false),
    firstInterrupt(() => {
      stopping = true
      reporter.clear()
      reporter.line('Pausing… (Ctrl-C again to exit at once)')
    }),
  ])
  if (interrupted) {
    uploader.pauseAll()
    // A creation request in flight is let finish so its upload can be resumed (see @shuttle/core).
    const slow = setTimeout(
      () => reporter.line('Waiting for the server to answer the uploads it is creating…'),
      1000,
    )
    const unfinished = uploader
      .getFiles()
      .filter((f: FileSnapshot) => f.status !== 'completed' && f.status !== 'failed')
    await uploader.destroy()
    clearTimeout(slow)
    reporter.stop()
    // Finished just before Ctrl-C, their 'completed' never came: the line says what is known.
    for (const [id, url] of awaitingLine) {
      const f = byId.get(id)
      if (f) jsonLines.push(printJsonLine(f, url, undefined))
    }
    awaitingLine.clear()
    await Promise.all(jsonLines)
    await state.save()
    process.stderr.write(
      `\nPaused ${unfinished.length} unfinished file(s); what reached the server stays there and checkpoints are in ${shownPath(o.stateDir)}.\n` +
        `Run the same command again to resume:\n  ${invocation()} upload ${process.argv.slice(3).map(shellQuote).join(' ')}\n`,
    )
    return 130
  }
  await uploader.destroy()
  reporter.stop()
  await Promise.all(jsonLines)
  if (failures.length === 0) await state.clear()
  else await state.save()
  const seconds = (Date.now() - started) / 1000
  if (!o.quiet) {
    process.stderr.write(
      `Uploaded ${doneCount} of ${files.length + missing.length} file(s); sent ${formatBytes(doneBytes)} in ${seconds.toFixed(1)}s\n`,
    )
    if (alreadyCount > 0) {
      process.stderr.write(
        `${alreadyCount} file(s) were already on the server: finished without sending them\n`,
      )
    }
    if (damaged > 0) {
      process.stderr.write(
        `${damaged} request(s) arrived damaged, were refused by the server (460) and sent again\n`,
      )
    }
  }
  if (failures.length > 0) {
    process.stderr.write(`${failures.length} failed:\n`)
    for (const f of failures) process.stderr.write(`  ${f.name}: ${f.reason}\n`)
    if (failures.some((f) => f.unauthorized)) {
      process.stderr.write(
        `The server refused the credentials (401). Get a new upload token (from your app, or 'shuttle token --sub ID' with the server's secret) and run the same command again with --token NEW (or SHUTTLE_TOKEN): finished files are skipped, the others resume from what the server has.\n`,
      )
      return EXIT_UNAUTHORIZED
    }
    return 1
  }
  return 0
}

/** Resolves true on the first SIGINT/SIGTERM; a second one exits at once. */
function firstInterrupt(onFirst: () => void): Promise<boolean> {
  return new Promise((resolve) => {
    let seen = false
    const on = () => {
      if (seen) {
        process.stderr.write('\nInterrupted again: exiting now\n')
        process.exit(130)
      }
      seen = true
      onFirst()
      resolve(true)
    }
    process.on('SIGINT', on)
    process.on('SIGTERM', on)
  })
}

/**
 * `sha256` is the digest the server confirmed it stored (Repr-Digest, already found equal to the
 * file's own by the engine): `verified: true`. A file the server confirmed by its content identity
 * instead (the default when the server offers instant upload) gets the local file's sha256, and
 * `verified: true` when the file still has the confirmed identity. Without one (--no-verify, a server without
 * Repr-Digest, S3) it is the local file's, hashed after the upload: `verified: false`.
 * `instant`: finished by instant upload (nothing sent); `identity`: the content identity
 * (sha256-4m, hex) the server confirmed, when it did.
 */
async function printJsonLine(
  f: LocalFile,
  url: string,
  serverDigest: string | undefined,
  compare = false,
  extra: { instant?: boolean; identity?: string } = {},
): Promise<void> {
  let sha256: string
  let verified = false
  const local = async () => {
    const hash = createHash('sha256')
    for await (const chunk of createReadStream(f.path, { highWaterMark: 1 << 20 }))
      hash.update(chunk as Buffer)
    return hash.digest('hex')
  }
  if (serverDigest === undefined && extra.identity !== undefined && !compare) {
    // Checked by its content identity (the engine's default against a server that offers it): the
    // server confirmed the stored bytes have the identity hashed from the file before the upload.
    // The line's sha256 is the file's, and says verified only if the file still has that identity.
    const both = await localDigests(f.path)
    sha256 = both.sha256
    verified = both.identity === Buffer.from(extra.identity, 'base64').toString('hex')
  } else if (serverDigest !== undefined) {
    sha256 = Buffer.from(serverDigest, 'base64').toString('hex')
    verified = true
    // A file finished by an earlier run: its digest came from a HEAD, so it is compared here.
    if (compare && (await local()) !== sha256) {
      process.stderr.write(
        `shuttle: ${f.relativePath}: the server's stored bytes differ from the file (${url})\n`,
      )
      sha256 = await local()
      verified = false
    }
  } else sha256 = await local()
  const line = {
    name: path.basename(f.path),
    path: f.path,
    relativePath: f.relativePath,
    size: f.size,
    url,
    sha256,
    verified,
    instant: extra.instant === true,
    ...(extra.identity ? { identity: Buffer.from(extra.identity, 'base64').toString('hex') } : {}),
  }
  process.stdout.write(`${JSON.stringify(line)}\n`)
}

/** The file's SHA-256 and sha256-4m identity (hex), in one read. */
async function localDigests(file: string): Promise<{ sha256: string; identity: string }> {
  // The server's own sha256-4m hash; loaded only for these lines (an upload needs no server code).
  const { createChecksumHash } = await import('@shuttle/server')
  const sha = createHash('sha256')
  const identity = createChecksumHash('sha256-4m')
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    sha.update(chunk as Buffer)
    identity.update(chunk as Buffer)
  }
  return { sha256: sha.digest('hex'), identity: Buffer.from(identity.digest()).toString('hex') }
}

/**
 * The server's Repr-Digest of a file an interrupted run finished, if the server states one and it
 * equals the file's (else undefined: the line then says verified: false).
 */
async function storedDigest(url: string, headers: Record<string, string>): Promise<string | undefined> {
  try {
    const res = await fetch(url, { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0', ...headers } })
    const m = /sha-256=:([A-Za-z0-9+/=]+):/.exec(res.headers.get('repr-digest') ?? '')
    return m?.[1]
  } catch {
    return undefined
  }
}

/** A path as short as it can be shown: relative to the working directory when inside it. */
function shownPath(p: string): string {
  const rel = path.relative(process.cwd(), p)
  return rel === '' ? '.' : rel.startsWith('..') || path.isAbsolute(rel) ? p : rel
}
