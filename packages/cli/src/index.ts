export { parseServeArgs, SERVE_HELP, type ServeOptions } from './serve/options.js'
export { type RunningServer, startServer } from './serve/start-server.js'
export { formatBytes, parseDuration, parseSize } from './units.js'
