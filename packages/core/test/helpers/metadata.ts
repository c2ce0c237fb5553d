/** Reads the `filename` (or `name`) entry of a tus Upload-Metadata header. */
export function decodeMetadataFilename(header: string): string | null {
  for (const pair of header.split(',')) {
    const [key, value] = pair.trim().split(' ')
    if ((key === 'filename' || key === 'name') && value) return Buffer.from(value, 'base64').toString('utf8')
  }
  return null
}
