import { parseArgs } from 'node:util'
import { GiB, MiB } from './stats.mjs'

export const USAGE = `Usage: npm run bench -- [options]
  --quick              small sizes, 1 repetition (development, CI smoke)
  --reps <n>           repetitions per row (default 5; quick 1)
  --only <list>        workloads: limits,single,many,resume,browser,rss (default: all)
  --pairs <list>       pairs: shuttle,peer,tusjs-shuttle,shuttle-tus (default: all)
  --modes <list>       single-file modes: stream,chunked,parallel (default: all)
  --browser-input <file|blob>
                       Chromium input: a disk-backed File given through <input type=file> (default),
                       or an in-memory Blob built in the page on every page load
  --profile            write --cpu-prof profiles of every server and client child to bench/results/profiles
  --out <file>         JSON output (default bench/results/latest.json)
  -h, --help`

export function readArgs(argv = process.argv.slice(2)) {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      reps: { type: 'string' },
      only: { type: 'string' },
      pairs: { type: 'string' },
      modes: { type: 'string' },
      profile: { type: 'boolean', default: false },
      'browser-input': { type: 'string', default: 'file' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  const list = (s) =>
    s
      ? s
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean)
      : undefined
  const quick = values.quick
  if (!['file', 'blob'].includes(values['browser-input']))
    throw new Error(`--browser-input must be file or blob, not "${values['browser-input']}"`)
  return {
    help: values.help,
    quick,
    reps: values.reps ? Number(values.reps) : quick ? 1 : 5,
    only: list(values.only),
    pairs: list(values.pairs),
    modes: list(values.modes),
    profile: values.profile,
    browserInput: values['browser-input'],
    out: values.out,
    sizes: quick
      ? { big: 64 * MiB, small: 1 * MiB, count: 100, concurrency: 50, browser: 32 * MiB, rssSmall: 16 * MiB }
      : {
          big: 1 * GiB,
          small: 1 * MiB,
          count: 1000,
          concurrency: 200,
          browser: 256 * MiB,
          rssSmall: 64 * MiB,
        },
    chunk: 8 * MiB,
  }
}
