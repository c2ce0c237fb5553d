import { HttpStatusError, isUploadError } from '@shuttle/protocol'

/** One sentence a person can act on, from whatever went wrong with a file. */
export function describeError(err: unknown): string {
  if (err instanceof HttpStatusError) {
    const said = err.serverMessage?.trim().split('\n')[0]?.slice(0, 300)
    const hint =
      err.status === 401
        ? ' (the token is missing, expired or not for this server)'
        : err.status === 403
          ? ' (check the credentials you sent)'
          : err.status === 413
            ? ' (the file is larger than the server accepts)'
            : err.status === 404
              ? ' (check the --endpoint URL)'
              : ''
    return `the server answered ${err.status} to ${err.method}${said ? `: ${said}` : ''}${hint}`
  }
  if (isUploadError(err)) {
    const cause = err.cause as NodeJS.ErrnoException | undefined
    switch (err.code) {
      case 'ERR_NETWORK':
        return `could not reach the server${cause?.code ? ` (${cause.code})` : ''}: ${err.message}`
      case 'ERR_STALLED':
        return 'the upload stalled (no progress) and retries ran out'
      case 'ERR_SOURCE_READ':
        return `could not read the file: ${err.message}`
      case 'ERR_SOURCE_CHANGED':
        return `the file changed while it was uploading: ${err.message}`
      default:
        return err.message
    }
  }
  return err instanceof Error ? err.message : String(err)
}

/** The server refused the credentials themselves (401): a new token, not a retry, is the fix. */
export function isUnauthorized(err: unknown): boolean {
  if (err instanceof HttpStatusError) return err.status === 401
  return isUploadError(err) && err.code === 'ERR_AUTH_EXPIRED'
}
