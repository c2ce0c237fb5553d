import { describe } from 'vitest'
import { checkpointStoreSuite } from '../test-support/store-suite.js'
import { createMemoryCheckpointStore } from './memory-store.js'

describe('memory checkpoint store', () => {
  checkpointStoreSuite(() => createMemoryCheckpointStore())
})
