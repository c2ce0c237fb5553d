// A bare page bundling @shuttle/core's browser entry, so the e2e suite can drive the engine itself
// (Blob slicing, XHR progress, localStorage and IndexedDB checkpoints) in real Chromium.
import * as core from '@shuttle/core'

declare global {
  interface Window {
    shuttle: typeof core
  }
}

window.shuttle = core
document.body.dataset.ready = 'true'
