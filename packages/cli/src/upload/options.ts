import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { UploadError } from '@shuttle/protocol'
import { parseSize } from '../units.js'

export const UPLOAD_HELP = `Usage: shuttle upload <files or directories...> --endpoint URL [options]

Uploads files over tus 1.0 (or S3 multipart with --protocol s3), resumably. Directories are walked; each file's path relative to the
directory is sent as metadata (relativePath). Interrupted? Run the same command again: every
unfinished file continues from the offset the server has.

Options:
  -e, --endpoint URL       tus endpoint to create uploads at (required), e.g. http://127.0.0.1:1080/files/;
                           with --protocol s3, the signing server's base URL, e.g. http://127.0.0.1:1080
      --protocol P         tus (default) or s3: parts go straight to the bucket, each presigned by the
                           server at --endpoint (shuttle serve --s3-bucket, or Uppy Companion)
      --part-size SIZE     S3 part size, at least 5MiB (default 8MiB; raised to stay within 10 000 parts)
  -p, --parallel N         files uploaded at once (default 3)
  -c, --chunk-size SIZE    bytes per PATCH request, e.g. 8MiB (default: one streamed request per file)
      --parallel-parts N   parts of one file sent at once (tus concatenation; default 1; s3: default 2)
  -t, --token TOKEN        upload token, sent as 'Authorization: Bearer TOKEN' (default: $SHUTTLE_TOKEN);
                           see 'shuttle token'
      --token-command CMD  shell command printing a token; run before the first request and again
                           whenever the server says the token expired (401), once for all files
  -H, --header 'K: V'      extra request header; repeat for several (e.g. a cookie, or Authorization
                           for another scheme)
  -m, --meta K=V           extra Upload-Metadata; repeat for several
      --state-dir DIR      where resume checkpoints live (default $XDG_STATE_HOME/shuttle or ~/.local/state/shuttle)
      --retries N          automatic retries per file after a network or server error (default 5)
      --json               one JSON line per finished file on stdout: name, path, size, url, sha256,
                           verified, instant (nothing sent: already on the server), identity
      --no-verify          skip end-to-end verification (by default every request carries a checksum when
                           the server offers it, damaged ones are sent again, and the server's digest of
                           the stored file must equal the file's sha256)
  -q, --quiet              no progress output; errors still go to stderr
  -h, --help               show this help

Ctrl-C once pauses cleanly (requests aborted, checkpoints kept) and tells you how to resume;
Ctrl-C twice exits at once.

Exit codes: 0 every file uploaded; 1 some failed (each listed with the reason); 2 usage error;
3 the server refused the credentials (401: missing, expired or foreign token; get a new token and
run the same command again: finished files are skipped, the others resume); 130 paused by Ctrl-C.

Examples:
  shuttle upload video.mp4 --endpoint http://127.0.0.1:1080/files/
  shuttle upload ./dataset --endpoint https://up.example.com/files/ -p 4 -c 16MiB --token "$TOKEN"
  shuttle upload *.tar --endpoint http://127.0.0.1:1080/files/ --json > uploaded.jsonl
  shuttle upload big.iso --protocol s3 --endpoint http://127.0.0.1:1080`

export interface UploadCliOptions {
  inputs: string[]
  endpoint: string
  protocol: 'tus' | 's3'
  /** S3 part size; undefined = the engine's default. */
  partSize: number | undefined
  parallel: number
  chunkSize: number
  parallelParts: number
  headers: Record<string, string>
  /** --token-command: prints a fresh token (start, and after each 401). */
  tokenCommand: string | undefined
  meta: Record<string, string>
  stateDir: string
  retries: number
  json: boolean
  /** Checksums and the stored-digest check (default true; --no-verify). */
  verify: boolean
  quiet: boolean
  help: boolean
}

const usage = (message: string) => new UploadError('ERR_INVALID_OPTIONS', message)

export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state')
  return path.join(base, 'shuttle')
}

/** Parses `shuttle upload` arguments; mistakes throw ERR_INVALID_OPTIONS naming the flag. */
export function parseUploadArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): UploadCliOptions {
  let parsed: ReturnType<typeof parse>
  try {
    parsed = parse(argv)
  } catch (err) {
    throw usage((err as Error).message)
  }
  const v = parsed.values
  const help = v.help ?? false
  const protocol = v.protocol ?? 'tus'
  if (protocol !== 'tus' && protocol !== 's3') throw usage(`--protocol: "${protocol}" must be tus or s3`)
  const base = {
    protocol: protocol as 'tus' | 's3',
    partSize: v['part-size'] === undefined ? undefined : parseSize(v['part-size'], 'part-size'),
    inputs: parsed.positionals,
    parallel: count('parallel', v.parallel, 3),
    chunkSize:
      v['chunk-size'] === undefined ? Number.POSITIVE_INFINITY : parseSize(v['chunk-size'], 'chunk-size'),
    parallelParts: count('parallel-parts', v['parallel-parts'], protocol === 's3' ? 2 : 1),
    tokenCommand: tokenCommand(v),
    headers: withToken(
      parseHeaders(v.header ?? []),
      v['token-command'] === undefined ? (v.token ?? env.SHUTTLE_TOKEN) : undefined,
      v.token !== undefined,
    ),
    meta: parseMeta(v.meta ?? []),
    stateDir: path.resolve(v['state-dir'] ?? defaultStateDir()),
    retries: count('retries', v.retries, 5, 0),
    json: v.json ?? false,
    verify: !(v['no-verify'] ?? false),
    quiet: v.quiet ?? false,
    help,
  }
  if (help) return { ...base, endpoint: v.endpoint ?? '' }
  if (!v.endpoint) throw usage('--endpoint URL is required, e.g. --endpoint http://127.0.0.1:1080/files/')
  let url: URL
  try {
    url = new URL(v.endpoint)
  } catch {
    throw usage(`--endpoint: "${v.endpoint}" is not a URL; try http://127.0.0.1:1080/files/`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw usage('--endpoint must be an http:// or https:// URL')
  if (base.inputs.length === 0) throw usage('name at least one file or directory to upload')
  if (base.chunkSize === 0) throw usage('--chunk-size must be more than 0')
  if (base.partSize !== undefined && base.partSize < 5 * 1024 * 1024)
    throw usage('--part-size must be at least 5MiB (S3 refuses smaller parts)')
  return { ...base, endpoint: url.href }
}

function count(flag: string, value: string | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n < min || n > 1000)
    throw usage(`--${flag}: "${value}" must be a whole number from ${min} to 1000`)
  return n
}

function parseHeaders(list: string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const h of list) {
    const i = h.indexOf(':')
    const name = i > 0 ? h.slice(0, i).trim() : ''
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) throw usage(`--header: "${h}" is not "Name: value"`)
    out[name] = h.slice(i + 1).trim()
  }
  return out
}

function tokenCommand(v: ReturnType<typeof parse>['values']): string | undefined {
  const cmd = v['token-command']
  if (cmd === undefined) return undefined
  if (v.token !== undefined) throw usage('give either --token or --token-command, not both')
  if ((v.header ?? []).some((h) => /^\s*authorization\s*:/i.test(h)))
    throw usage("give either --token-command or -H 'Authorization: …', not both")
  if (cmd.trim() === '') throw usage('--token-command: the command is empty')
  return cmd
}

/** Adds `Authorization: Bearer <token>`; a token next to an explicit Authorization header is a mistake. */
function withToken(
  headers: Record<string, string>,
  token: string | undefined,
  fromFlag: boolean,
): Record<string, string> {
  const explicit = Object.keys(headers).find((k) => k.toLowerCase() === 'authorization')
  if (!token) {
    if (fromFlag) throw usage('--token: the token is empty (did the command that prints it fail?)')
    return headers
  }
  if (explicit) {
    // SHUTTLE_TOKEN in the environment yields to an explicit -H 'Authorization: …'.
    if (!fromFlag) return headers
    throw usage("give either --token or -H 'Authorization: …', not both")
  }
  if (!/^[A-Za-z0-9\-._~+/]+=*$/.test(token.trim()))
    throw usage('--token: that is not a token (expected the JWT that shuttle token or your app printed)')
  return { ...headers, Authorization: `Bearer ${token.trim()}` }
}

function parseMeta(list: string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const m of list) {
    const i = m.indexOf('=')
    const key = i > 0 ? m.slice(0, i) : ''
    if (!/^[^\s,=]+$/.test(key))
      throw usage(`--meta: "${m}" is not "key=value" (keys have no spaces or commas)`)
    out[key] = m.slice(i + 1)
  }
  return out
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      endpoint: { type: 'string', short: 'e' },
      protocol: { type: 'string' },
      'part-size': { type: 'string' },
      parallel: { type: 'string', short: 'p' },
      'chunk-size': { type: 'string', short: 'c' },
      'parallel-parts': { type: 'string' },
      token: { type: 'string', short: 't' },
      'token-command': { type: 'string' },
      header: { type: 'string', short: 'H', multiple: true },
      meta: { type: 'string', short: 'm', multiple: true },
      'state-dir': { type: 'string' },
      retries: { type: 'string' },
      json: { type: 'boolean' },
      'no-verify': { type: 'boolean' },
      quiet: { type: 'boolean', short: 'q' },
      help: { type: 'boolean', short: 'h' },
    },
  })
}
