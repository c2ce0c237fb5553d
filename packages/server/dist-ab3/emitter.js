/** A small typed emitter: `on()` returns its unsubscribe function; a throwing listener is logged. */
export function createEmitter(logger) {
    const listeners = new Map();
    return {
        on(event, listener) {
            let set = listeners.get(event);
            if (!set) {
                set = new Set();
                listeners.set(event, set);
            }
            set.add(listener);
            const own = set;
            return () => {
                own.delete(listener);
            };
        },
        emit(event, payload) {
            const set = listeners.get(event);
            if (!set)
                return;
            for (const listener of [...set]) {
                try {
                    ;
                    listener(payload);
                }
                catch (err) {
                    logger.error(`A '${event}' listener threw`, err);
                }
            }
        },
    };
}
//# sourceMappingURL=emitter.js.map