/** Polls `cond` until it holds or `ms` pass; a failure names what was awaited. */
export async function waitUntil(cond, ms, what) {
    const end = performance.now() + ms;
    for (;;) {
        if (await cond())
            return;
        if (performance.now() > end)
            throw new Error(`Timed out after ${ms} ms waiting until ${what}`);
        await new Promise((r) => setTimeout(r, 5));
    }
}
//# sourceMappingURL=runner.js.map