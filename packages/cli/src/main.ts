import { isUploadError } from '@shuttle/protocol'

const HELP = `Usage: shuttle <command> [options]

Commands:
  serve     run a tus 1.0 upload server (uploads on disk; --s3-bucket adds S3 multipart signing)
  upload    upload files and directories to a tus endpoint (or S3), resumably, with progress bars
  s3-cors   set a bucket's CORS rules so browsers can upload parts straight to it
  token     print an upload token (JWT) for a server that requires them

Run 'shuttle <command> --help' for a command's options.`

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  switch (command) {
    // Each command loads only what it needs: `serve` never loads the upload engine.
    case 'serve':
      return (await import('./serve/command.js')).serveCommand(rest)
    case 'upload':
      return (await import('./upload/command.js')).uploadCommand(rest)
    case 's3-cors':
      return (await import('./s3-cors/command.js')).s3CorsCommand(rest)
    case 'token':
      return (await import('./token/command.js')).tokenCommand(rest)
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(`${HELP}\n`)
      return command === undefined ? 2 : 0
    default:
      process.stderr.write(`shuttle: unknown command "${command}"\n\n${HELP}\n`)
      return 2
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (err: unknown) => {
    if (isUploadError(err) && err.code === 'ERR_INVALID_OPTIONS') {
      process.stderr.write(`shuttle: ${err.message}\nRun 'shuttle --help' for usage.\n`)
      process.exitCode = 2
      return
    }
    const e = err as NodeJS.ErrnoException
    if (e?.code === 'EADDRINUSE') {
      process.stderr.write(`shuttle: that port is already in use; pick another with --port\n`)
    } else if (e?.code === 'EACCES' || e?.code === 'EPERM') {
      process.stderr.write(
        `shuttle: permission denied (${e.message}); try a port above 1024 or another --dir\n`,
      )
    } else {
      process.stderr.write(`shuttle: ${e?.stack ?? String(err)}\n`)
    }
    process.exitCode = 1
  },
)
