import { createHash, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { link, mkdir, open, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { STATUS_CHECKSUM_MISMATCH, TusError } from '@shuttle/protocol';
import { isValidUploadId } from '../../ids.js';
import { FileLocker, removeStaleLockFiles } from '../../lockers/file-locker.js';
import { isOutOfSpace, outOfSpace } from '../../out-of-space.js';
import { copyInto } from './copy-into.js';
import { createWriteGuard } from './file-writer.js';
import { MalformedInfoError, readInfo, writeInfo } from './info-file.js';
import { readSegments } from './read-segments.js';
import { streamToFile } from './stream-to-file.js';
const PROGRESS_INTERVAL_MS = 100;
const COPY_HIGH_WATER_MARK = 4 * 1024 * 1024;
/**
 * Uploads on the local disk. The offset is the data file's size, so after a crash (even
 * kill -9) HEAD reports exactly the bytes on disk. Checksummed chunks go to `<id>.chunk` first
 * and are appended only once verified, so an unverified byte never counts toward the offset.
 *
 * @example
 * createTusServer({ store: new FileStore({ directory: './uploads' }) })
 */
export class FileStore {
    extensions = new Set([
        'creation-defer-length',
        'termination',
        'expiration',
        'concatenation',
        'checksum',
    ]);
    directory;
    #ready;
    #guard;
    constructor(options) {
        this.directory = resolve(options.directory);
        this.#guard = createWriteGuard(options.writes);
    }
    async create(upload) {
        try {
            await this.#ensureDirectory();
            // Data first: an info file without data never exists, an orphan empty data file is harmless.
            await writeFile(this.#dataPath(upload.id), new Uint8Array(0), { flag: 'wx' });
            try {
                await writeInfo(this.#infoPath(upload.id), upload);
            }
            catch (err) {
                await rm(this.#dataPath(upload.id), { force: true });
                throw err;
            }
        }
        catch (err) {
            throw fsError(err, upload.id);
        }
        return { ...upload, offset: 0, lastWriteAt: upload.createdAt };
    }
    /** Locks across every process that uses this directory (see FileLocker). */
    defaultLocker() {
        return new FileLocker({ directory: this.directory });
    }
    async getUpload(id) {
        return (await this.#load(id)).upload;
    }
    /** The upload and, for a concatenation kept as linked parts, the lengths of its segments. */
    async #load(id) {
        try {
            const [info, st] = await Promise.allSettled([readInfo(this.#infoPath(id)), stat(this.#dataPath(id))]);
            if (info.status === 'rejected')
                throw damagedOr(info.reason, id);
            const { segments, ...upload } = info.value;
            // Linked parts are complete and never written again: the offset is the recorded size.
            if (segments) {
                return { upload: { ...upload, offset: upload.size ?? 0, lastWriteAt: upload.createdAt }, segments };
            }
            if (st.status === 'rejected')
                throw st.reason;
            // The data file's mtime is the last write: no extra I/O on the PATCH path to track activity.
            const lastWriteAt = Math.max(upload.createdAt, Math.floor(st.value.mtimeMs));
            return { upload: { ...upload, offset: st.value.size, lastWriteAt }, segments };
        }
        catch (err) {
            throw fsError(err, id);
        }
    }
    async write(id, offset, source, options) {
        // Node streams keep the fast path (no async iteration); other byte sources are adapted once.
        const body = source instanceof Readable ? source : Readable.from(source, { objectMode: false });
        if (options.checksum) {
            return this.#writeVerified(id, offset, body, options).catch((err) => {
                throw fsError(err, id);
            });
        }
        // The caller reports the final offset; these are the in-between updates of long writes.
        let last = Date.now();
        const result = await streamToFile(body, {
            path: this.#dataPath(id),
            flags: 'r+',
            start: offset,
            expectSize: offset,
            maxBytes: options.maxBytes,
            signal: options.signal,
            lease: options.lease,
            guard: this.#guard,
            onBytes: options.onProgress
                ? (written) => {
                    const now = Date.now();
                    if (now - last < PROGRESS_INTERVAL_MS)
                        return;
                    last = now;
                    options.onProgress?.(offset + written);
                }
                : undefined,
        }).catch((err) => {
            throw fsError(err, id);
        });
        if (result.overflow)
            throw lengthExceeded();
        return offset + result.written;
    }
    async #writeVerified(id, offset, body, options) {
        const checksum = options.checksum;
        const chunkPath = this.#chunkPath(id);
        const hash = createHash(checksum.algorithm);
        try {
            const result = await streamToFile(body, {
                path: chunkPath,
                flags: 'w',
                start: 0,
                maxBytes: options.maxBytes,
                signal: options.signal,
                lease: options.lease,
                guard: this.#guard,
                hash,
            });
            if (result.overflow)
                throw lengthExceeded();
            // A cut-off chunk cannot be verified, so none of it is kept.
            if (!result.ended)
                return offset;
            const digest = hash.digest();
            if (digest.length !== checksum.digest.length || !timingSafeEqual(digest, checksum.digest)) {
                throw new TusError('ERR_CHECKSUM_MISMATCH', STATUS_CHECKSUM_MISMATCH, `Upload-Checksum does not match the ${checksum.algorithm} of the ${result.written} bytes received; none were kept. Send the chunk again from the same offset.`);
            }
            if (result.written > 0) {
                options.lease?.assertHeld();
                const data = await open(this.#dataPath(id), 'r+');
                try {
                    if ((await data.stat()).size !== offset)
                        throw offsetMoved(id, offset);
                    await copyInto(data, offset, chunkPath);
                }
                finally {
                    await data.close();
                }
            }
            return offset + result.written;
        }
        finally {
            await rm(chunkPath, { force: true });
        }
    }
    async declareLength(id, size) {
        const current = await this.getUpload(id);
        const next = { ...current, size };
        await writeInfo(this.#infoPath(id), next);
        return next;
    }
    /**
     * Links each finished part's data file as one segment of the new upload: O(parts), no byte is
     * copied, and deleting a part later leaves the final upload whole (the link keeps the inode). The
     * parts are finished, so nothing writes to those files again. Where the file system has no hard
     * links, the bytes are copied into one data file instead.
     */
    async concatenate(upload, partIds) {
        await this.#ensureDirectory();
        const linked = [];
        try {
            const lengths = await Promise.all(partIds.map((id) => this.getUpload(id).then((u) => u.offset)));
            const segments = [];
            for (const [i, partId] of partIds.entries()) {
                if (lengths[i] === 0)
                    continue;
                const to = this.#segmentPath(upload.id, segments.length);
                await link(this.#dataPath(partId), to);
                linked.push(to);
                segments.push(lengths[i]);
            }
            const size = segments.reduce((a, b) => a + b, 0);
            // The info is written last: a crash before it leaves links nobody can address, not a wrong upload.
            await writeInfo(this.#infoPath(upload.id), { ...upload, size }, segments);
            return { ...upload, size, offset: size, lastWriteAt: upload.createdAt };
        }
        catch (err) {
            await Promise.all(linked.map((p) => rm(p, { force: true })));
            const code = err.code;
            if (code === 'EPERM' ||
                code === 'ENOTSUP' ||
                code === 'EOPNOTSUPP' ||
                code === 'EMLINK' ||
                code === 'EXDEV') {
                return this.#concatenateByCopy(upload, partIds);
            }
            throw concatError(err, upload.id);
        }
    }
    async #concatenateByCopy(upload, partIds) {
        const dataPath = this.#dataPath(upload.id);
        await writeFile(dataPath, new Uint8Array(0), { flag: 'wx' });
        let offset = 0;
        try {
            // The info file is written only once every byte is in place, so a crash mid-copy leaves an
            // orphan data file nobody can address, not a wrong upload.
            const data = await open(dataPath, 'r+');
            try {
                const buffer = Buffer.allocUnsafe(COPY_HIGH_WATER_MARK);
                for (const partId of partIds)
                    offset += await copyInto(data, offset, this.#dataPath(partId), buffer);
            }
            finally {
                await data.close();
            }
        }
        catch (err) {
            await rm(dataPath, { force: true });
            throw concatError(err, upload.id);
        }
        await writeInfo(this.#infoPath(upload.id), { ...upload, size: offset });
        return { ...upload, size: offset, offset, lastWriteAt: Date.now() };
    }
    async read(id, range) {
        const { upload, segments } = await this.#load(id);
        const start = range?.start ?? 0;
        const end = Math.min(range?.end ?? upload.offset, upload.offset);
        if (end <= start)
            return Readable.from([]);
        if (segments) {
            const files = segments.map((length, k) => ({ path: this.#segmentPath(id, k), length }));
            return readSegments(files, start, end, COPY_HIGH_WATER_MARK);
        }
        return createReadStream(this.#dataPath(id), { start, end: end - 1, highWaterMark: COPY_HIGH_WATER_MARK });
    }
    async remove(id) {
        let segments;
        try {
            segments = (await readInfo(this.#infoPath(id))).segments?.length ?? 0;
        }
        catch (err) {
            const damaged = damagedOr(err, id);
            if (!isDamaged(damaged))
                throw fsError(err, id);
            await this.#removeAll(id);
            return;
        }
        try {
            // Info first: once it is gone the upload is gone, whatever happens to the data files.
            await rm(this.#infoPath(id));
        }
        catch (err) {
            throw fsError(err, id);
        }
        const files = [this.#dataPath(id), this.#chunkPath(id)];
        for (let k = 0; k < segments; k++)
            files.push(this.#segmentPath(id, k));
        await Promise.all(files.map((f) => rm(f, { force: true })));
    }
    /** Every file of an upload whose info cannot say which it has (a damaged one); the info goes last. */
    async #removeAll(id) {
        checkId(id);
        const names = await readdir(this.directory);
        const own = names.filter((n) => n === id || (n.startsWith(`${id}.`) && n !== `${id}.json`));
        await Promise.all(own.map((n) => rm(join(this.directory, n), { force: true })));
        await rm(this.#infoPath(id), { force: true });
    }
    async *list() {
        let names;
        try {
            names = await readdir(this.directory);
        }
        catch (err) {
            if (err.code === 'ENOENT')
                return;
            throw err;
        }
        for (const name of names) {
            if (!name.endsWith('.json'))
                continue;
            const id = name.slice(0, -'.json'.length);
            if (!isValidUploadId(id))
                continue;
            try {
                yield await this.getUpload(id);
            }
            catch {
                // Removed meanwhile or unreadable: not ours to judge here.
            }
        }
    }
    /**
     * Files a crash leaves that no upload owns, untouched for `olderThanMs`: a data file or linked
     * segments whose info file was never written (killed between the two), an info temp file
     * (killed before its rename), a checksummed chunk (killed mid-verify; every verified write starts
     * a fresh one); an upload whose info file is damaged (empty, cut, not JSON, invalid); lock files
     * of the FileLocker nobody renewed. Anything else in the directory is not ours and stays.
     */
    async removeLeftovers(olderThanMs) {
        return ((await this.#removeCrashLeftovers(olderThanMs)) +
            (await removeStaleLockFiles(this.directory, olderThanMs)));
    }
    async #removeCrashLeftovers(olderThanMs) {
        let names;
        try {
            names = await readdir(this.directory);
        }
        catch (err) {
            if (err.code === 'ENOENT')
                return 0;
            throw err;
        }
        const present = new Set(names);
        const cutoff = Date.now() - olderThanMs;
        let removed = 0;
        for (const name of names) {
            const m = /^([A-Za-z0-9_-]+)(?:\.(\d+|chunk|json|json\.[0-9a-f]+\.tmp))?$/.exec(name);
            const id = m?.[1];
            if (!m || id === undefined || !isValidUploadId(id))
                continue;
            // Bytes (data file, segment) are leftovers only without an info file; temp files and chunks always.
            const bytes = m[2] === undefined || /^\d+$/.test(m[2]);
            if (bytes && present.has(`${id}.json`))
                continue;
            if (m[2] === 'json') {
                removed += await this.#removeIfDamaged(id, cutoff);
                continue;
            }
            try {
                const st = await stat(join(this.directory, name));
                if (!st.isFile() || st.mtimeMs > cutoff)
                    continue;
                // The info may have appeared since the listing (a creation that just finished).
                if (bytes && (await exists(this.#infoPath(id))))
                    continue;
                await rm(join(this.directory, name), { force: true });
                removed++;
            }
            catch {
                // Gone meanwhile: nothing to do.
            }
        }
        return removed;
    }
    /** Removes the upload if its info file is damaged and older than `cutoff`; 1 when it did. */
    async #removeIfDamaged(id, cutoff) {
        try {
            await readInfo(this.#infoPath(id));
            return 0;
        }
        catch (err) {
            if (!isDamaged(damagedOr(err, id)))
                return 0;
        }
        const st = await stat(this.#infoPath(id)).catch(() => undefined);
        if (!st || st.mtimeMs > cutoff)
            return 0;
        await this.#removeAll(id);
        return 1;
    }
    #ensureDirectory() {
        this.#ready ??= mkdir(this.directory, { recursive: true }).then(() => undefined, (err) => {
            this.#ready = undefined;
            throw err;
        });
        return this.#ready;
    }
    // Ids are validated by the server before any call, and again here: paths never leave `directory`.
    #dataPath(id) {
        return join(this.directory, checkId(id));
    }
    #infoPath(id) {
        return join(this.directory, `${checkId(id)}.json`);
    }
    #chunkPath(id) {
        return join(this.directory, `${checkId(id)}.chunk`);
    }
    #segmentPath(id, k) {
        return join(this.directory, `${checkId(id)}.${k}`);
    }
}
async function exists(path) {
    try {
        await stat(path);
        return true;
    }
    catch {
        return false;
    }
}
function checkId(id) {
    if (!isValidUploadId(id))
        throw new TusError('ERR_NOT_FOUND', 404, 'Upload not found');
    return id;
}
function concatError(err, id) {
    const partGone = err.code === 'ENOENT' || (err instanceof TusError && err.status === 404);
    if (partGone) {
        return new TusError('ERR_CONCAT', 400, 'A partial upload was removed during concatenation; nothing was created', { cause: err });
    }
    return fsError(err, id);
}
/** Maps file-system errors clients can act on; the rest stay internal (500). */
function fsError(err, id) {
    const code = err?.code;
    if (code === 'ENOENT')
        return new TusError('ERR_NOT_FOUND', 404, `Upload ${id} not found`, { cause: err });
    if (isOutOfSpace(err))
        return outOfSpace(err);
    return err;
}
/**
 * An info file that exists but cannot be read as one (empty, cut short, not JSON, invalid) makes
 * its upload damaged: 410 to every request but DELETE, which removes it. Other errors pass.
 */
function damagedOr(err, id) {
    if (err instanceof SyntaxError || err instanceof MalformedInfoError) {
        return new TusError('ERR_DAMAGED', 410, `Upload ${id} is damaged (its info file cannot be read) and cannot be resumed; DELETE it and upload the file again`, { cause: err });
    }
    return err;
}
function isDamaged(err) {
    return err instanceof TusError && err.code === 'ERR_DAMAGED';
}
function offsetMoved(id, offset) {
    return new TusError('ERR_OFFSET_MISMATCH', 409, `Upload ${id} no longer ends at ${offset}: another writer changed it. HEAD the upload and resume from its offset.`);
}
function lengthExceeded() {
    return new TusError('ERR_LENGTH_EXCEEDED', 413, 'The request body goes past Upload-Length; the bytes beyond it were not stored. HEAD the upload to learn its offset.');
}
//# sourceMappingURL=file-store.js.map