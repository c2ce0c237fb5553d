import type { FileHandle } from 'node:fs/promises';
/**
 * Copies all of the file at `fromPath` into `to` at `position`, through ONE reused buffer: no
 * stream machinery and no fresh 4 MiB buffer per read, so a 1 GiB concatenation neither grows the
 * heap's external memory (RSS) nor feeds the GC. Returns the bytes copied.
 */
export declare function copyInto(to: FileHandle, position: number, fromPath: string, buffer?: Buffer): Promise<number>;
//# sourceMappingURL=copy-into.d.ts.map