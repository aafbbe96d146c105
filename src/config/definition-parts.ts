/** Building blocks of the config definition (definition.ts) shared by its parts. */
import { z } from 'zod';

/** Marks a field whose value is a credential (JSON Schema's `writeOnly`: sent, never shown back). */
export function credential<T extends z.ZodType>(schema: T, description: string): T {
  return schema.meta({ description, writeOnly: true });
}

export const text = () => z.string().min(1);
export const int = (minimum: number, maximum: number) => z.int().min(minimum).max(maximum);
export const stringMap = z.record(z.string(), z.string()).meta({ id: 'stringMap' });
