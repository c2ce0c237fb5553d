import type { IncomingMessage } from 'node:http'
import type { ServerOptions } from '../types.js'
import { bearerToken, type UploadToken, unauthorized, verifyUploadToken } from './upload-token.js'

export const TOKEN_NEEDED =
  'This server needs an upload token: send Authorization: Bearer <token> with a token the app issued'

/**
 * The request's verified token when tokens are required; undefined when they are not, and for a
 * GET of an upload without any Authorization header (a download of a public-read upload is
 * decided once the upload is read: see `assertInScope`).
 */
export async function authenticate(
  req: IncomingMessage,
  tokens: ServerOptions['tokens'],
  anonymousAllowed: boolean,
): Promise<UploadToken | undefined> {
  if (!tokens) return undefined
  if (anonymousAllowed && req.headers.authorization === undefined) return undefined
  return requireUploadToken(req, tokens.secret)
}

/**
 * The request's upload token, verified; 401 with a Bearer challenge and a sentence when it is
 * missing, not a Bearer token, expired or forged. For routes of your own next to the tus handler.
 *
 * @example
 * const { sub } = await requireUploadToken(req, process.env.SHUTTLE_AUTH_SECRET)
 */
export async function requireUploadToken(
  req: IncomingMessage,
  secret: string | Uint8Array,
): Promise<UploadToken> {
  const token = bearerToken(req)
  if (token === undefined) {
    throw unauthorized(
      req.headers.authorization === undefined
        ? TOKEN_NEEDED
        : 'The Authorization header is not a Bearer token; send Authorization: Bearer <token>',
    )
  }
  return verifyUploadToken(secret, token)
}
