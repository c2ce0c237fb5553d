import { createFormTransport } from './form/form-transport.js'
import { createS3Transport } from './s3/s3-transport.js'
import type { TransportFactory } from './transport.js'
import { createTusTransport } from './tus/tus-transport.js'

/** The transports `protocol` names. Each is a TransportFactory like any custom one. */
export const BUILTIN_TRANSPORTS: Readonly<Record<'tus' | 's3' | 'form', TransportFactory>> = {
  tus: createTusTransport,
  s3: createS3Transport,
  form: createFormTransport,
}
