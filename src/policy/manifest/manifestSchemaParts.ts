import { z } from 'zod';

/** The building blocks shared by the manifest schemas: finite and bounded numbers, names, and the message for an unknown `type`. */

export const finite = z.number().refine(Number.isFinite, { message: 'must be a finite number' });
export const positive = finite.refine((v) => v > 0, { message: 'must be greater than 0' });
export const nonNegative = finite.refine((v) => v >= 0, { message: 'must be 0 or greater' });
export const positiveInt = z.number().int().min(1);
/** A whole number from 1 to max: sizes past these are not a real policy and would exhaust memory or time. */
export const sizeUpTo = (max: number) => z.number().int().min(1).max(max);
export const fileName = z.string().min(1);
export const tensorName = z.string().min(1);

export function unknownType(what: string, allowed: readonly string[]) {
  return (issue: { code?: string; input?: unknown }): string | undefined => {
    if (issue.code !== 'invalid_union') return undefined;
    const input = issue.input;
    const given = typeof input === 'object' && input !== null && 'type' in input ? (input as { type: unknown }).type : undefined;
    const head = given === undefined ? `${what} needs a type` : `unknown ${what} "${String(given)}"`;
    return `${head}: use one of ${allowed.join(', ')}`;
  };
}
