import { type IssueUploadTokenOptions, issueUploadToken, UPLOAD_TOKEN_AUDIENCE } from '@shuttle/server'
import { SignJWT } from 'jose'

/** The secret the test servers verify tokens with. */
export const SECRET = 'security-suite-secret-32-bytes-long!!'

export type Auth = Record<string, string>

/** Authorization header with a valid token for `sub`. */
export async function bearer(sub: string, more: Omit<IssueUploadTokenOptions, 'sub'> = {}): Promise<Auth> {
  return { Authorization: `Bearer ${await issueUploadToken(SECRET, { sub, expiresIn: 600, ...more })}` }
}

/** A token that was valid, signed by the right secret, and expired a minute ago. */
export async function expiredBearer(sub: string): Promise<Auth> {
  const now = Math.floor(Date.now() / 1000)
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setAudience(UPLOAD_TOKEN_AUDIENCE)
    .setIssuedAt(now - 120)
    .setExpirationTime(now - 60)
    .sign(new TextEncoder().encode(SECRET))
  return { Authorization: `Bearer ${token}` }
}

/** A well-formed token for `sub` signed with another secret. */
export async function forgedBearer(sub: string): Promise<Auth> {
  const token = await issueUploadToken('not-the-servers-secret-but-32-bytes!', { sub, expiresIn: 600 })
  return { Authorization: `Bearer ${token}` }
}
