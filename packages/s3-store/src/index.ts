export { MAX_PARTS, partSizeFor } from './part-plan.js'
export { S3Store, type S3StoreOptions } from './s3-store.js'
