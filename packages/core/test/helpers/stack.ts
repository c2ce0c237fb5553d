import { createUploader, type UploaderOptions } from '@shuttle/core'
import { afterEach, beforeEach, onTestFinished } from 'vitest'
import type { Uploader } from './engine.js'
import { makeTempDir, removeDir } from './files.js'
import { type RecordingProxy, startRecordingProxy } from './recording-proxy.js'
import { type ServerKind, type StartServerOptions, startServer, type TestServer } from './servers.js'

interface Closable {
  close(): Promise<void>
}

/** A server, a proxy in front of it, and what a test uploads with against them. */
export interface Stack<S = TestServer, P = RecordingProxy> {
  readonly server: S
  readonly proxy: P
  /** A fresh temp dir for a checkpoint store; only when the stack was asked for one. */
  readonly checkpointDir: string
  /** createUploader, but the stack destroys the uploader before it closes the proxy and server. */
  uploader(options: UploaderOptions): Uploader
  /** Closes the proxy and starts another in front of the same server, closed with the stack. */
  replaceProxy(start: (server: S) => Promise<P>): Promise<P>
}

/** How to start a stack other than a tus server behind a recording proxy. */
export interface StackParts<S, P> {
  server(): Promise<S>
  proxy(server: S): Promise<P>
  /** Prefix of a temp dir made for a checkpoint store, removed after the server closes. */
  readonly checkpoints?: string
}

export interface TusStackOptions {
  /** Wraps the tus handler, e.g. with an auth or fault gate. */
  readonly wrap?: StartServerOptions['wrap']
  /** The recording proxy's throttle, per request; unthrottled when left out. */
  readonly bytesPerSecond?: number
  /** Prefix of a temp dir made for a checkpoint store, removed after the server closes. */
  readonly checkpoints?: string
  /** More options for our server (see StartServerOptions.shuttle). */
  readonly shuttle?: StartServerOptions['shuttle']
}

type AnyParts = ServerKind | StackParts<Closable, Closable>

function tusParts(kind: ServerKind, options: TusStackOptions): StackParts<TestServer, RecordingProxy> {
  return {
    server: () => startServer(kind, { wrap: options.wrap, shuttle: options.shuttle }),
    proxy: (server) => startRecordingProxy(server.endpoint, { bytesPerSecond: options.bytesPerSecond }),
    checkpoints: options.checkpoints,
  }
}

async function openStack<S extends Closable, P extends Closable>(
  parts: StackParts<S, P>,
): Promise<Stack<S, P> & Closable> {
  const server = await parts.server()
  let proxy = await parts.proxy(server)
  const checkpointDir = parts.checkpoints ? await makeTempDir(parts.checkpoints) : undefined
  const uploaders: Uploader[] = []
  return {
    server,
    get proxy() {
      return proxy
    },
    get checkpointDir() {
      if (!checkpointDir) throw new Error('this stack was started without `checkpoints`')
      return checkpointDir
    },
    uploader(options) {
      const up = createUploader(options)
      uploaders.push(up)
      return up
    },
    async replaceProxy(start) {
      await proxy.close()
      proxy = await start(server)
      return proxy
    },
    // Uploaders first: a request still in flight must not find its proxy or server gone.
    async close() {
      for (const up of uploaders) await up.destroy()
      await proxy.close()
      await server.close()
      await removeDir(checkpointDir)
    },
  }
}

function partsOf(parts: AnyParts, options: TusStackOptions = {}): StackParts<Closable, Closable> {
  return typeof parts === 'string' ? tusParts(parts, options) : parts
}

/**
 * A fresh stack before each test of the enclosing suite, closed after it. Read its fields inside
 * the tests (and hooks that run after its beforeEach), never while the suite is being collected.
 */
export function useStack(kind: ServerKind, options?: TusStackOptions): Stack
export function useStack<S extends Closable, P extends Closable>(parts: StackParts<S, P>): Stack<S, P>
export function useStack(parts: AnyParts, options?: TusStackOptions): Stack<Closable, Closable> {
  let current: (Stack<Closable, Closable> & Closable) | undefined
  beforeEach(async () => {
    current = await openStack(partsOf(parts, options))
  })
  afterEach(async () => {
    await current?.close()
    current = undefined
  })
  const open = () => {
    if (!current) throw new Error('useStack: the stack only exists while a test runs')
    return current
  }
  return {
    get server() {
      return open().server
    },
    get proxy() {
      return open().proxy
    },
    get checkpointDir() {
      return open().checkpointDir
    },
    uploader: (o) => open().uploader(o),
    replaceProxy: (start) => open().replaceProxy(start),
  }
}

/** Starts a stack inside a test; it closes when the test finishes, after any afterEach hook. */
export function startStack(kind: ServerKind, options?: TusStackOptions): Promise<Stack>
export function startStack<S extends Closable, P extends Closable>(
  parts: StackParts<S, P>,
): Promise<Stack<S, P>>
export async function startStack(
  parts: AnyParts,
  options?: TusStackOptions,
): Promise<Stack<Closable, Closable>> {
  const stack = await openStack(partsOf(parts, options))
  onTestFinished(() => stack.close())
  return stack
}
