import { type TusExtension } from '@shuttle/protocol';
import type { Reply } from '../reply.js';
import type { DataStore } from '../types.js';
import type { HandlerContext } from './context.js';
/** The extensions this server offers on top of what the store can do. */
export declare function extensionsFor(store: DataStore): TusExtension[];
/** OPTIONS: what the server supports. CORS preflight headers are added by the server. */
export declare function handleOptions(ctx: HandlerContext): Promise<Reply>;
//# sourceMappingURL=options.d.ts.map