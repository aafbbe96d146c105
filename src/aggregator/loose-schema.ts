/**
 * Request schemas that check only the method. The aggregator forwards params to a backend that validates
 * them itself; parsing every message deeply on the way through would cost time and could alter it.
 */
import * as z from 'zod/v4';

export function looseRequest<M extends string>(method: M) {
  return z.looseObject({
    method: z.literal(method),
    params: z.optional(z.looseObject({})),
  });
}
