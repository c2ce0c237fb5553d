import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
/** Writes the info via a temp file, fsync and rename, so a crash leaves the old or the new file. */
export async function writeInfo(path, upload, segments) {
    const json = {
        version: 1,
        id: upload.id,
        size: upload.size ?? null,
        metadata: { ...upload.metadata },
        createdAt: upload.createdAt,
        expiresAt: upload.expiresAt ?? null,
        concat: upload.concat ?? null,
        ...(segments ? { segments: [...segments] } : {}),
    };
    const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    try {
        const handle = await open(tmp, 'w');
        try {
            await handle.writeFile(JSON.stringify(json));
            await handle.sync();
        }
        finally {
            await handle.close();
        }
        await rename(tmp, path);
    }
    catch (err) {
        await rm(tmp, { force: true });
        throw err;
    }
}
/** An info file that is there but is not a valid one (not JSON is a SyntaxError instead). */
export class MalformedInfoError extends Error {
    name = 'MalformedInfoError';
}
/** Reads and validates an info file; throws on a missing (ENOENT) or malformed one. */
export async function readInfo(path) {
    const raw = JSON.parse(await readFile(path, 'utf8'));
    if (!isInfoJson(raw))
        throw new MalformedInfoError(`Malformed upload info file ${path}`);
    return {
        id: raw.id,
        size: raw.size ?? undefined,
        metadata: Object.assign(Object.create(null), raw.metadata),
        createdAt: raw.createdAt,
        expiresAt: raw.expiresAt ?? undefined,
        concat: raw.concat ?? undefined,
        segments: raw.segments,
    };
}
function isInfoJson(v) {
    if (typeof v !== 'object' || v === null)
        return false;
    const o = v;
    const concat = o.concat;
    return (o.version === 1 &&
        typeof o.id === 'string' &&
        (o.size === null || (typeof o.size === 'number' && Number.isSafeInteger(o.size) && o.size >= 0)) &&
        typeof o.metadata === 'object' &&
        o.metadata !== null &&
        Object.values(o.metadata).every((x) => typeof x === 'string') &&
        typeof o.createdAt === 'number' &&
        (o.expiresAt === null || typeof o.expiresAt === 'number') &&
        (o.segments === undefined ||
            (Array.isArray(o.segments) &&
                o.segments.every((n) => typeof n === 'number' && Number.isSafeInteger(n) && n > 0))) &&
        (concat === null ||
            concat?.kind === 'partial' ||
            (concat?.kind === 'final' &&
                Array.isArray(concat.parts) &&
                concat.parts.every((p) => typeof p === 'string'))));
}
//# sourceMappingURL=info-file.js.map