// Who uploads to whom. The peer pair is the baseline every ratio is taken against.
export const PAIRS = [
  { id: 'shuttle', label: 'Shuttle → Shuttle', client: 'shuttle', server: 'shuttle' },
  { id: 'peer', label: 'tus-js-client → @tus/server', client: 'tusjs', server: 'tus' },
  { id: 'tusjs-shuttle', label: 'tus-js-client → Shuttle server', client: 'tusjs', server: 'shuttle' },
  { id: 'shuttle-tus', label: 'Shuttle client → @tus/server', client: 'shuttle', server: 'tus' },
]

export const PEER = 'peer'

// @tus/server 2.4 answers 501 "Concatenation extension is not (yet) supported" to parallel parts.
export const SERVER_CAN = {
  shuttle: { concatenation: true },
  tus: { concatenation: false },
}

export const unsupported = (pair, mode) => {
  if (mode.parallel > 1 && !SERVER_CAN[pair.server].concatenation)
    return '@tus/server 2.4 has no concatenation extension (501)'
  if (mode.verify && (pair.client !== 'shuttle' || pair.server !== 'shuttle'))
    return 'end-to-end verification needs both sides (tus-js-client sends no checksum; @tus/server has no checksum extension)'
  return undefined
}
