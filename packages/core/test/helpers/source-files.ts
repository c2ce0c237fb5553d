import { afterAll, beforeAll } from 'vitest'
import { makeTempDir, removeDir, type TestFile, writeRandomFile, writeRandomFiles } from './files.js'

/** Random files written once, in beforeAll; they fill in then, so read them inside tests. */
export interface SourceFiles extends ReadonlyArray<TestFile> {
  /** The temp dir they are in (removed with them): room for a test file's other scratch files. */
  readonly dir: string
}

function useWritten(dirPrefix: string, write: (dir: string) => Promise<TestFile[]>): SourceFiles {
  const files: TestFile[] = []
  let dir: string | undefined
  beforeAll(async () => {
    dir = await makeTempDir(dirPrefix)
    files.push(...(await write(dir)))
  })
  afterAll(async () => {
    await removeDir(dir)
  })
  return Object.defineProperty(files, 'dir', {
    get() {
      if (!dir) throw new Error('source files are only there once beforeAll has run')
      return dir
    },
  }) as TestFile[] & { readonly dir: string }
}

/** Files of random bytes, `<namePrefix>-<n>.bin`, in a temp dir made for the test file. */
export function useSourceFiles(
  dirPrefix: string,
  sizes: readonly number[],
  namePrefix?: string,
): SourceFiles {
  return useWritten(dirPrefix, (dir) => writeRandomFiles(dir, sizes, namePrefix))
}

/** One file of random bytes, as useSourceFiles; its path, hash and dir throw if read before beforeAll. */
export function useSourceFile(
  dirPrefix: string,
  name: string,
  size: number,
): TestFile & { readonly dir: string } {
  const files = useWritten(dirPrefix, async (dir) => [await writeRandomFile(dir, name, size)])
  const file = () => {
    const f = files[0]
    if (!f) throw new Error(`${name} is only there once beforeAll has run`)
    return f
  }
  return {
    name,
    size,
    get path() {
      return file().path
    },
    get sha256() {
      return file().sha256
    },
    get dir() {
      return files.dir
    },
  }
}
