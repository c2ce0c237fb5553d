// S3 answers in XML and shared code has no DOMParser (Node): these few regex readers cover the
// flat documents multipart uses (InitiateMultipartUploadResult, ListPartsResult, Error).

const ENTITIES: Record<string, string> = { quot: '"', amp: '&', lt: '<', gt: '>', apos: "'" }

export function decodeXml(text: string): string {
  return text.replace(/&(quot|amp|lt|gt|apos|#\d+|#x[0-9a-fA-F]+);/g, (_, e: string) => {
    if (e.startsWith('#x')) return String.fromCodePoint(Number.parseInt(e.slice(2), 16))
    if (e.startsWith('#')) return String.fromCodePoint(Number(e.slice(1)))
    return ENTITIES[e] ?? ''
  })
}

export function escapeXml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c]};`,
  )
}

/** Text of the first <name> element, entity-decoded; undefined when absent. */
export function xmlText(xml: string, name: string): string | undefined {
  const m = new RegExp(`<${name}(?:\\s[^>]*)?>([\\s\\S]*?)</${name}>`).exec(xml)
  return m?.[1] === undefined ? undefined : decodeXml(m[1].trim())
}

/** Inner XML of every <name> element. */
export function xmlBlocks(xml: string, name: string): string[] {
  const re = new RegExp(`<${name}(?:\\s[^>]*)?>([\\s\\S]*?)</${name}>`, 'g')
  return [...xml.matchAll(re)].map((m) => m[1] ?? '')
}

export interface ListPartsPage {
  parts: Array<{ partNumber: number; size: number; etag: string }>
  isTruncated: boolean
  nextMarker: string | undefined
}

/** Parses a ListPartsResult page. */
export function parseListParts(xml: string): ListPartsPage {
  const parts: ListPartsPage['parts'] = []
  for (const block of xmlBlocks(xml, 'Part')) {
    const partNumber = Number(xmlText(block, 'PartNumber'))
    const size = Number(xmlText(block, 'Size'))
    const etag = xmlText(block, 'ETag')
    if (Number.isInteger(partNumber) && Number.isFinite(size) && etag) parts.push({ partNumber, size, etag })
  }
  return {
    parts,
    isTruncated: xmlText(xml, 'IsTruncated') === 'true',
    nextMarker: xmlText(xml, 'NextPartNumberMarker'),
  }
}

/** The <Code> of an S3 <Error> document (NoSuchUpload, ExpiredToken, …), if the body is one. */
export function s3ErrorCode(body: string): string | undefined {
  return body.includes('<Error') ? xmlText(body, 'Code') : undefined
}

export function completeBody(parts: ReadonlyArray<{ partNumber: number; etag: string }>): string {
  const items = parts
    .map((p) => `<Part><PartNumber>${p.partNumber}</PartNumber><ETag>${escapeXml(p.etag)}</ETag></Part>`)
    .join('')
  return `<?xml version="1.0" encoding="UTF-8"?><CompleteMultipartUpload>${items}</CompleteMultipartUpload>`
}
