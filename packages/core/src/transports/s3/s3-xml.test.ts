import { describe, expect, it } from 'vitest'
import { completeBody, parseListParts, s3ErrorCode, xmlText } from './s3-xml.js'

describe('S3 XML', () => {
  it('parses a ListPartsResult page with quoted ETags', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?><ListPartsResult><Bucket>b</Bucket><UploadId>u</UploadId>
      <NextPartNumberMarker>2</NextPartNumberMarker><IsTruncated>true</IsTruncated>
      <Part><PartNumber>1</PartNumber><ETag>&quot;aa&quot;</ETag><Size>5242880</Size></Part>
      <Part><PartNumber>2</PartNumber><ETag>"bb"</ETag><Size>10</Size></Part></ListPartsResult>`
    expect(parseListParts(xml)).toEqual({
      parts: [
        { partNumber: 1, size: 5242880, etag: '"aa"' },
        { partNumber: 2, size: 10, etag: '"bb"' },
      ],
      isTruncated: true,
      nextMarker: '2',
    })
  })
  it('reads error codes and escapes ETags in Complete', () => {
    expect(s3ErrorCode('<Error><Code>ExpiredToken</Code></Error>')).toBe('ExpiredToken')
    expect(s3ErrorCode('<CompleteMultipartUploadResult/>')).toBeUndefined()
    expect(
      xmlText(
        '<InitiateMultipartUploadResult><UploadId>2~x&amp;y</UploadId></InitiateMultipartUploadResult>',
        'UploadId',
      ),
    ).toBe('2~x&y')
    expect(completeBody([{ partNumber: 1, etag: '"a"' }])).toContain(
      '<Part><PartNumber>1</PartNumber><ETag>&quot;a&quot;</ETag></Part>',
    )
  })
})
