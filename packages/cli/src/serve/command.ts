import { formatBytes } from '../units.js'
import { parseServeArgs, SERVE_HELP } from './options.js'
import { redactPassword } from './redis-locks.js'
import { TUS_PREFIX } from './s3-tus-store.js'
import { startServer } from './start-server.js'

/**
 * `shuttle serve`: runs until SIGINT/SIGTERM, then drains within --shutdown-timeout and exits 0
 * (a second signal exits at once).
 */
export async function serveCommand(argv: string[]): Promise<number> {
  const options = parseServeArgs(argv)
  if (options.help) {
    process.stdout.write(`${SERVE_HELP}\n`)
    return 0
  }
  const running = await startServer(options, (line) => process.stdout.write(`${line}\n`))
  const { quotas, authSecret } = options.trust
  const limits = [
    options.maxSize === undefined ? 'no size limit' : `max size ${formatBytes(options.maxSize)}`,
    quotas.creations === undefined
      ? undefined
      : `${quotas.creations} new uploads per ${(quotas.windowMs ?? 60_000) / 1000}s per ${authSecret || options.demoTokens !== undefined ? 'user' : 'client'}`,
    options.expireAfter === undefined
      ? undefined
      : `unfinished uploads expire after ${options.expireAfter / 1000}s`,
  ].filter(Boolean)
  // The page first: it is what a person opens (and what `npm start` is for).
  process.stdout.write(
    `Shuttle is serving ${running.url}/\n  tus endpoint ${running.endpoint}\n  uploads in ${options.store === 's3' ? `s3://${options.s3?.bucket}/${TUS_PREFIX}` : options.dir}${
      limits.length ? `, ${limits.join(', ')}` : ''
    }\n  ${
      authSecret || running.demo
        ? 'upload tokens required (Authorization: Bearer); each upload is its token subject’s'
        : 'no upload tokens: anyone who reaches this port can upload (--auth-secret-file to require them)'
    }\n${options.redis ? `  locks in Redis at ${redactPassword(options.redis)}\n` : ''}${
      options.s3
        ? `  S3 multipart signing at ${running.url}/s3/multipart (bucket ${options.s3.bucket}${
            options.s3.endpoint ? ` at ${options.s3.endpoint}` : ''
          }; browsers also need the bucket's CORS rules: shuttle s3-cors)\n`
        : ''
    }${
      running.demo
        ? `  DEMO ONLY: upload tokens required, handed out to any browser at POST ${running.url}/demo-token (lifetime ${running.demo.lifetime}s), signed with the public demo secret "${running.demo.secret}"; never use --demo-tokens in production\n`
        : ''
    }Press Ctrl-C to stop.\n`,
  )
  return new Promise<number>((resolve) => {
    let stopping = false
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        process.stderr.write(`${signal} again: exiting now\n`)
        process.exit(130)
      }
      stopping = true
      const seconds = options.ops.shutdownTimeout / 1000
      // close() shuts the listening socket before it returns: once this line is out, a connection
      // attempt is refused.
      const stopped = running.close()
      process.stderr.write(
        `${signal}: draining (new requests get 503; running uploads store what arrived and release their locks, within ${seconds}s)…\n`,
      )
      stopped.then(
        (left) => {
          process.stderr.write(
            left === 0
              ? 'Stopped: every running write stored what arrived and released its lock.\n'
              : `Stopped after ${seconds}s with ${left} request(s) still running, now cut; locks they held expire by themselves.\n`,
          )
          resolve(0)
        },
        () => resolve(1),
      )
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
}
