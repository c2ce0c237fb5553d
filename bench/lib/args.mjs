import { parseArgs } from 'node:util'
import { PAIRS } from './pairs.mjs'
import { GiB, MiB } from './stats.mjs'
import { MODES } from './workloads/single.mjs'

const WORKLOADS = ['limits', 'single', 'many', 'resume', 'browser', 'rss', 'hash', 's3']

export const USAGE = `Usage: npm run bench -- [options]
  --quick              small sizes, 1 repetition (development, CI smoke)
  --reps <n>           repetitions per row (default 5; quick 1)
  --only <list>        workloads: limits,single,many,resume,browser,rss,hash,s3 (default: all;
                       --quick leaves out s3, which starts a Ceph RGW, unless named)
  --pairs <list>       pairs: shuttle,peer,tusjs-shuttle,shuttle-tus (default: all)
  --modes <list>       single-file modes: stream,chunked,parallel,verify,chunked-verify (default: all)
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
  // A misspelt name would otherwise select nothing and print empty tables.
  const list = (flag, s, known) => {
    if (s === undefined) return undefined
    const names = s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean)
    const unknown = names.filter((n) => !known.includes(n))
    if (names.length === 0 || unknown.length > 0)
      throw new Error(
        `--${flag}: ${unknown.length ? `unknown "${unknown.join('", "')}"` : 'empty'}; one or more of ${known.join(',')}`,
      )
    return names
  }
  const quick = values.quick
  const reps = values.reps === undefined ? (quick ? 1 : 5) : Number(values.reps)
  if (!Number.isInteger(reps) || reps < 1)
    throw new Error(`--reps must be a whole number ≥ 1, not "${values.reps}"`)
  if (!['file', 'blob'].includes(values['browser-input']))
    throw new Error(`--browser-input must be file or blob, not "${values['browser-input']}"`)
  return {
    help: values.help,
    quick,
    reps,
    only: list('only', values.only, WORKLOADS),
    pairs: list(
      'pairs',
      values.pairs,
      PAIRS.map((p) => p.id),
    ),
    modes: list(
      'modes',
      values.modes,
      MODES.map((m) => m.id),
    ),
    profile: values.profile,
    browserInput: values['browser-input'],
    out: values.out,
    sizes: quick
      ? {
          big: 64 * MiB,
          small: 1 * MiB,
          count: 100,
          concurrency: 50,
          browser: 32 * MiB,
          rssSmall: 16 * MiB,
          hash: 64 * MiB,
        }
      : {
          big: 1 * GiB,
          small: 1 * MiB,
          count: 1000,
          concurrency: 200,
          browser: 256 * MiB,
          rssSmall: 64 * MiB,
          hash: 1 * GiB,
        },
    chunk: 8 * MiB,
  }
}
