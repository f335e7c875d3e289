import type { z } from 'zod';
import { type FieldIssue, ValidationError } from './errors';

/** Dotted field path of a zod issue, with an optional prefix (`appointment.startAt`). */
function joinPath(prefix: string, path: readonly PropertyKey[]): string {
  return [prefix, ...path.map(String)].filter((part) => part !== '').join('.');
}

/**
 * Turns zod issues into field issues. Unknown keys become one issue per key
 * (`patient.nickname: unknown field`) so a typo is named, not summarised.
 */
export function toFieldIssues(issues: readonly z.core.$ZodIssue[], prefix = ''): FieldIssue[] {
  return issues.flatMap((issue): FieldIssue[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: joinPath(prefix, [...issue.path, key]),
        message: 'unknown field',
      }));
    }
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      // Report the branch that came closest (fewest issues) instead of "invalid input".
      const closest = [...issue.errors].sort((a, b) => a.length - b.length)[0] ?? [];
      return toFieldIssues(
        closest.map((inner) => ({ ...inner, path: [...issue.path, ...inner.path] })),
        prefix,
      );
    }
    const message =
      issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message;
    return [{ path: joinPath(prefix, issue.path), message }];
  });
}

/**
 * Parses `input` with `schema`; on failure throws a {@link ValidationError}
 * that lists every bad field path.
 *
 * @param schema - the zod schema to apply
 * @param input - untrusted data
 * @param prefix - path prefix for the issues (e.g. `body`)
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, prefix = ''): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new ValidationError(toFieldIssues(result.error.issues, prefix));
  return result.data;
}
