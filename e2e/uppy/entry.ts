// Bundled by the test with Vite: @uppy/core and @uppy/aws-s3 as the page's globals.
import AwsS3 from '@uppy/aws-s3'
import Uppy from '@uppy/core'

declare global {
  interface Window {
    uppyParts: { Uppy: typeof Uppy; AwsS3: typeof AwsS3 }
  }
}

window.uppyParts = { Uppy, AwsS3 }
document.body.dataset.ready = 'true'
