import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { UploadError } from '@shuttle/protocol'
import type { IssueUploadTokenOptions } from '@shuttle/server'
import { parseDuration, parseSize } from '../units.js'

export const TOKEN_HELP = `Usage: shuttle token --sub ID [options]

Prints one upload token (a JWT signed with HS256) for a server started with the same secret
(shuttle serve --auth-secret, or the library's 'tokens' option). Send it as
'Authorization: Bearer <token>', e.g. shuttle upload --token "$(shuttle token --sub alice)".
In an app, the backend issues tokens the same way (issueUploadToken from @shuttle/server).

Options:
      --secret SECRET       signing secret, at least 32 bytes (visible to other users in the
                            process list: prefer --secret-file or SHUTTLE_AUTH_SECRET)
      --secret-file FILE    read the secret from FILE (a trailing newline is dropped)
      --sub ID              subject: the user the uploads belong to (required)
      --expires DUR         lifetime, e.g. 90s, 10m, 2h, 7d (default 1h)
      --max-file-size SIZE  largest single upload, e.g. 2GiB
      --max-total SIZE      bytes this subject may keep stored in all
      --types LIST          allowed types, comma-separated: image/png,image/*,.pdf
      --max-files N         uploads this subject may keep stored
  -h, --help                show this help

Environment: SHUTTLE_AUTH_SECRET is the secret when neither --secret nor --secret-file is given.

Exit codes: 0 printed a token; 2 usage error (missing or short secret, bad limit).`

export interface TokenCliOptions {
  secret: string
  token: IssueUploadTokenOptions
  help: boolean
}

const usage = (message: string) => new UploadError('ERR_INVALID_OPTIONS', message)

/** Parses `shuttle token` arguments; mistakes throw ERR_INVALID_OPTIONS naming the flag. */
export function parseTokenArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): TokenCliOptions {
  let v: ReturnType<typeof parse>['values']
  try {
    v = parse(argv).values
  } catch (err) {
    throw usage((err as Error).message)
  }
  if (v.help) return { secret: '', token: { sub: '' }, help: true }
  const secret = readSecret(v, env)
  if (!v.sub) throw usage('--sub ID is required: the user the uploads belong to')
  const expiresMs = parseDuration(v.expires ?? '1h', 'expires')
  if (expiresMs < 1000) throw usage('--expires must be at least 1s (tokens expire on whole seconds)')
  const token: IssueUploadTokenOptions = {
    sub: v.sub,
    expiresIn: Math.round(expiresMs / 1000),
    ...(v['max-file-size'] !== undefined
      ? { maxFileSize: parseSize(v['max-file-size'], 'max-file-size') }
      : {}),
    ...(v['max-total'] !== undefined ? { maxTotalBytes: parseSize(v['max-total'], 'max-total') } : {}),
    ...(v.types !== undefined ? { types: parseTypes(v.types) } : {}),
    ...(v['max-files'] !== undefined ? { maxFiles: count(v['max-files']) } : {}),
  }
  return { secret, token, help: false }
}

function readSecret(v: ReturnType<typeof parse>['values'], env: NodeJS.ProcessEnv): string {
  let secret: string | undefined
  if (v.secret !== undefined) secret = v.secret
  else if (v['secret-file'] !== undefined) {
    try {
      secret = readFileSync(v['secret-file'], 'utf8').replace(/\r?\n$/, '')
    } catch (err) {
      throw usage(`--secret-file: cannot read "${v['secret-file']}" (${(err as NodeJS.ErrnoException).code})`)
    }
  } else secret = env.SHUTTLE_AUTH_SECRET
  if (!secret)
    throw usage('a secret is required: --secret-file FILE, SHUTTLE_AUTH_SECRET, or --secret SECRET')
  if (Buffer.byteLength(secret) < 32) {
    throw usage(
      'the secret must be at least 32 bytes (a shorter HS256 key can be guessed from one token); try: openssl rand -base64 32',
    )
  }
  return secret
}

function parseTypes(list: string): string[] {
  const types = list
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean)
  for (const t of types) {
    if (!/^(\.[\w.+-]+|[\w.+-]+\/(\*|[\w.+-]+))$/.test(t))
      throw usage(`--types: "${t}" is not a MIME type (image/png, image/*) or an extension (.pdf)`)
  }
  if (types.length === 0) throw usage('--types: name at least one type, e.g. image/*,.pdf')
  return types
}

function count(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1) throw usage(`--max-files: "${value}" must be a whole number from 1`)
  return n
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: false,
    strict: true,
    options: {
      secret: { type: 'string' },
      'secret-file': { type: 'string' },
      sub: { type: 'string' },
      expires: { type: 'string' },
      'max-file-size': { type: 'string' },
      'max-total': { type: 'string' },
      types: { type: 'string' },
      'max-files': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  })
}
