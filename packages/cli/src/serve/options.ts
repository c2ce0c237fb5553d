import path from 'node:path'
import { parseArgs } from 'node:util'
import { UploadError } from '@shuttle/protocol'
import { parseDuration, parseSize } from '../units.js'

export const SERVE_HELP = `Usage: shuttle serve [options]

Runs a tus 1.0 upload server with uploads kept on disk, and a page at / that says where it is.

Options:
  --host HOST            interface to listen on (default 127.0.0.1; 0.0.0.0 for all)
  --port PORT            port to listen on; 0 picks a free one (default 1080)
  --dir DIR              directory for uploads (default ./uploads)
  --path PATH            URL prefix of the tus endpoint (default /files/)
  --max-size SIZE        largest upload accepted, e.g. 2GiB (default: no limit)
  --cors-origin ORIGIN   allowed browser origin; repeat for several, * for any (default *)
  --expire-after DUR     delete unfinished uploads idle this long, e.g. 24h (default: never)
  --static DIR           serve this directory at / (e.g. the built demo app)
  --quiet                no log line per upload event
  -h, --help             show this help

Examples:
  shuttle serve
  shuttle serve --port 8080 --dir /var/uploads --max-size 5GiB --expire-after 24h
  shuttle serve --host 0.0.0.0 --cors-origin https://app.example.com`

export interface ServeOptions {
  host: string
  port: number
  dir: string
  path: string
  maxSize: number | undefined
  corsOrigins: '*' | string[]
  expireAfter: number | undefined
  staticDir: string | undefined
  quiet: boolean
  help: boolean
}

/** Parses `shuttle serve` flags; usage mistakes throw ERR_INVALID_OPTIONS with the flag named. */
export function parseServeArgs(argv: string[]): ServeOptions {
  let values: ReturnType<typeof parse>['values']
  try {
    values = parse(argv).values
  } catch (err) {
    throw new UploadError('ERR_INVALID_OPTIONS', (err as Error).message, { cause: err })
  }
  const port = Number(values.port ?? '1080')
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UploadError('ERR_INVALID_OPTIONS', `--port: "${values.port}" is not a port number (0-65535)`)
  }
  let prefix = values.path ?? '/files/'
  if (!prefix.startsWith('/')) prefix = `/${prefix}`
  if (!prefix.endsWith('/')) prefix = `${prefix}/`
  const origins = values['cors-origin'] ?? ['*']
  return {
    host: values.host ?? '127.0.0.1',
    port,
    dir: path.resolve(values.dir ?? './uploads'),
    path: prefix,
    maxSize: values['max-size'] === undefined ? undefined : parseSize(values['max-size'], 'max-size'),
    corsOrigins: origins.includes('*') ? '*' : origins,
    expireAfter:
      values['expire-after'] === undefined
        ? undefined
        : parseDuration(values['expire-after'], 'expire-after'),
    staticDir: values.static === undefined ? undefined : path.resolve(values.static),
    quiet: values.quiet ?? false,
    help: values.help ?? false,
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: false,
    strict: true,
    options: {
      host: { type: 'string' },
      port: { type: 'string', short: 'p' },
      dir: { type: 'string', short: 'd' },
      path: { type: 'string' },
      'max-size': { type: 'string' },
      'cors-origin': { type: 'string', multiple: true },
      'expire-after': { type: 'string' },
      static: { type: 'string' },
      quiet: { type: 'boolean', short: 'q' },
      help: { type: 'boolean', short: 'h' },
    },
  })
}
