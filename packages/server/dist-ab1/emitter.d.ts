import type { Logger, TusServerEvents } from './types.js';
type Listener<E extends keyof TusServerEvents> = (payload: TusServerEvents[E]) => void;
/** A small typed emitter: `on()` returns its unsubscribe function; a throwing listener is logged. */
export declare function createEmitter(logger: Logger): {
    on<E extends keyof TusServerEvents>(event: E, listener: Listener<E>): () => void;
    emit<E extends keyof TusServerEvents>(event: E, payload: TusServerEvents[E]): void;
};
export type Emitter = ReturnType<typeof createEmitter>;
export {};
//# sourceMappingURL=emitter.d.ts.map