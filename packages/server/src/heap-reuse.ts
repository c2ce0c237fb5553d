/** glibc's largest dynamic mmap threshold on 64-bit (DEFAULT_MMAP_THRESHOLD_MAX): 32 MiB. */
const BLOCK = 32 * 1024 * 1024 - 64 * 1024

let done = false

/**
 * Makes glibc's malloc keep freed request-body memory for reuse instead of returning it to the
 * kernel and faulting it in again, once per process.
 *
 * Why: Node's HTTP parser copies each body chunk (≤ 64 KiB) into a fresh malloc'd buffer that lives
 * until V8's next GC, ~40 MB of them at a time. glibc gives the top of its heap back to the kernel
 * whenever more than its trim threshold (128 KiB) of it is free, so when no live allocation happens
 * to sit above those buffers, every GC hands them back and the next chunks fault the same memory in
 * again, page by page: 80–240 k more minor faults per GiB received and +0.2–0.5 CPU-s/GiB of server
 * system time on a 2-vCPU VM (bench/README.md, "Why Shuttle → Shuttle is bimodal"). Whether that
 * happens depended on the process, which made the one-request bench row fast in some repetitions
 * and slow in others.
 *
 * How: glibc raises its trim threshold to twice the size of a freed mmap'd block (up to 32 MiB, its
 * "dynamic mmap threshold"). So one untouched block of just under 32 MiB, allocated and dropped
 * (freed at V8's next GC), lets the heap keep up to 64 MiB of free memory. Elsewhere (musl, macOS)
 * it is one mmap and munmap of untouched memory. `MALLOC_TRIM_THRESHOLD_` in the environment turns
 * the dynamic threshold off and wins.
 */
export function keepFreedHeap(): void {
  if (done) return
  done = true
  Buffer.allocUnsafeSlow(BLOCK)
}
