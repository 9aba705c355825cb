/**
 * Makes glibc's malloc keep large freed buffers for reuse instead of returning them to the kernel.
 *
 * Why: by default glibc serves every allocation above 128 KiB with its own mmap and unmaps it when
 * it is freed, and it gives the top of its heap back to the kernel once more than twice that
 * threshold is free there. Samsa's hot buffers are exactly that size: fetch answers of up to a few
 * MiB that the consumer reads a socket into (the records handed to the application are views of
 * them, so they cannot be recycled by hand), produce frames and segment reads in the broker. Each
 * new one was fresh memory, and on a VM the first touch of a fresh page costs more than the copy
 * that touches it: a consumer draining 1 KiB records spent about half its CPU time in page faults.
 *
 * glibc raises both thresholds on its own when a mapped chunk larger than the current threshold
 * (and at most 32 MiB on 64-bit) is freed: the mmap threshold becomes that chunk's size and the trim
 * threshold twice that (mallopt(3), "M_MMAP_THRESHOLD": dynamic adjustment). Node offers no
 * mallopt, so this allocates one buffer just under that limit and drops it: the next garbage
 * collection frees it and from then on the process reuses freed memory below 31 MiB from its heap,
 * keeping up to 62 MiB of free heap instead of trimming it (what MALLOC_MMAP_THRESHOLD_ and
 * MALLOC_TRIM_THRESHOLD_ would set, had the process been started with them). The buffer is never
 * touched, so it costs no resident memory. Other C libraries (musl, macOS) ignore this: there it is
 * one mapping made and unmapped.
 *
 * Process-wide and done once; SAMSA_RAISE_MALLOC_THRESHOLD=0 in the environment turns it off.
 */
const PROBE_BYTES = 31 * 1024 * 1024;

let done = false;

export function raiseMallocThreshold(env: NodeJS.ProcessEnv = process.env): boolean {
  if (done || env.SAMSA_RAISE_MALLOC_THRESHOLD === '0') return false;
  done = true;
  // Allocated without being filled, and unreachable at once: the collector frees it.
  Buffer.allocUnsafeSlow(PROBE_BYTES);
  return true;
}
