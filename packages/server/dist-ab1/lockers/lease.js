import { HttpError } from '@shuttle/protocol';
/**
 * A lease that ends when `lose()` is called or, when `validFor` is given, once `renewed()` has not
 * been called for that long: a holder whose renewals stopped (a blocked or stopped process) must
 * not trust its lock even before its renewal timer gets to run and notice.
 */
export function createLease(id, validFor, now = () => performance.now()) {
    const controller = new AbortController();
    let deadline = validFor === undefined ? Number.POSITIVE_INFINITY : now() + validFor;
    const lost = (why) => new HttpError('ERR_LEASE_LOST', 423, `The lock on upload ${id} was lost (${why}); nothing more was stored. HEAD the upload to learn its offset.`, { retryable: true });
    const lease = {
        lost: controller.signal,
        assertHeld() {
            if (controller.signal.aborted)
                throw lost(String(controller.signal.reason ?? 'released'));
            if (now() > deadline)
                throw lost('its renewal is overdue');
        },
    };
    return {
        lease,
        /** The lock was confirmed held just now. */
        renewed() {
            if (validFor !== undefined)
                deadline = now() + validFor;
        },
        lose(why) {
            if (!controller.signal.aborted)
                controller.abort(why);
        },
    };
}
//# sourceMappingURL=lease.js.map