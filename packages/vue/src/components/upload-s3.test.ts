import { mount } from '@vue/test-utils'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { engines, lastEngine, makeFile, pick } from '../testing/helpers.js'
import { absoluteEndpoint } from '../use-uploader.js'
import ShuttleUpload from './shuttle-upload.vue'

// Only the engine is faked; core's pure helpers (computeTotals…) stay real.
vi.mock('@shuttle/core', async (importOriginal) => ({
  ...(await importOriginal<object>()),
  createUploader: (await import('../testing/helpers.js')).fakeCreateUploader,
}))

beforeEach(() => {
  engines.length = 0
})

describe("ShuttleUpload protocol 's3'", () => {
  it('forwards protocol and s3 options to the engine as they are', async () => {
    const getCredentials = async () => ({ accessKeyId: 'a', secretAccessKey: 'b' })
    const s3 = { partSize: 8 * 1024 * 1024, bucket: 'uploads', region: 'us-east-1', getCredentials }
    const w = mount(ShuttleUpload, {
      props: { endpoint: '/', protocol: 's3', s3, parallelUploads: 2 },
      attachTo: document.body,
    })
    await pick(w, [makeFile('a.bin')])
    expect(lastEngine().options).toMatchObject({
      endpoint: absoluteEndpoint('/'),
      protocol: 's3',
      parallelUploads: 2,
    })
    expect((lastEngine().options as { s3?: typeof s3 }).s3?.getCredentials).toBe(getCredentials)
    w.unmount()
  })
})
