// apps/demo/engine.html exposes the engine's browser build for page.evaluate() callbacks.
import type * as core from '../packages/core/src/browser/index.js'

declare global {
  interface Window {
    shuttle: typeof core
  }
}
