import { UploadError } from '@shuttle/protocol'
import { issueUploadToken } from '@shuttle/server'
import { parseTokenArgs, TOKEN_HELP } from './options.js'

/** `shuttle token`: prints one upload token on stdout (nothing else, so `$(shuttle token …)` works). */
export async function tokenCommand(argv: string[]): Promise<number> {
  const o = parseTokenArgs(argv)
  if (o.help) {
    process.stdout.write(`${TOKEN_HELP}\n`)
    return 0
  }
  let token: string
  try {
    token = await issueUploadToken(o.secret, o.token)
  } catch (err) {
    // The library's own checks (limits out of range): a usage mistake, said as such.
    if (err instanceof TypeError) throw new UploadError('ERR_INVALID_OPTIONS', err.message, { cause: err })
    throw err
  }
  process.stdout.write(`${token}\n`)
  return 0
}
