import type { IncomingMessage } from 'node:http';
/** The request's path, before any framework stripped its mount prefix (Express sets originalUrl). */
export declare function requestPath(req: IncomingMessage): string;
export type Route = {
    kind: 'collection';
} | {
    kind: 'upload';
    id: string;
} | {
    kind: 'invalid';
} | {
    kind: 'outside';
};
/** Where a path falls: the creation endpoint, one upload, a malformed id under the prefix, or elsewhere. */
export declare function route(pathname: string, basePath: string): Route;
/** The ids of partial-upload URLs; a URL that is not one of ours is a 400 naming it. */
export declare function urlsTo(urls: readonly string[], basePath: string): string[];
/** The id an upload URL (absolute or path-only, as in Upload-Concat) points to, if it is ours. */
export declare function idFromUrl(url: string, basePath: string): string | undefined;
/** The URL clients use for an upload: absolute from Host (or forwarded headers), or path-only. */
export declare function uploadUrl(req: IncomingMessage, id: string, o: {
    basePath: string;
    relativeLocation: boolean;
    respectForwardedHeaders: boolean;
}): string;
//# sourceMappingURL=urls.d.ts.map