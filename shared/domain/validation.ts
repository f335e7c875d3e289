import type { z } from 'zod';
import { type FieldIssue, ValidationError } from './errors';

/** What a value of zod's `expected` type is called in an error. */
const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
  null: 'null',
};

/** What a received value is, without repeating it (it may be personal data). */
function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'number':
      if (Number.isNaN(value)) return 'not a number';
      if (!Number.isFinite(value)) return 'a number too large to represent';
      return Number.isInteger(value) ? 'a number' : 'a fraction';
    case 'string':
      return 'a string';
    case 'boolean':
      return 'true or false';
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

/** A value outside an enum or a literal: "is required" when absent, else the values allowed (never the one given). */
function oneOf(issue: z.core.$ZodRawIssue<z.core.$ZodIssueInvalidValue>): string {
  if (issue.input === undefined) return 'is required';
  const values = issue.values.map((value) => (typeof value === 'string' ? value : JSON.stringify(value)));
  return values.length === 1 ? `must be ${values[0]}` : `must be one of ${values.join(', ')}`;
}

/** A number, text or list past a bound, in the API's words ("must be at most 100", "must have at least 3 characters"). */
function outOfRange(
  issue: z.core.$ZodRawIssue<z.core.$ZodIssueTooBig | z.core.$ZodIssueTooSmall>,
): string | undefined {
  const big = issue.code === 'too_big';
  const bound = String(big ? issue.maximum : issue.minimum);
  const inclusive = issue.inclusive !== false;
  const word = big ? (inclusive ? 'at most' : 'less than') : inclusive ? 'at least' : 'more than';
  switch (issue.origin) {
    case 'number':
    case 'int':
    case 'bigint':
      return `must be ${word} ${bound}`;
    case 'string':
      return `must have ${word} ${bound} character${bound === '1' ? '' : 's'}`;
    case 'array':
    case 'set':
      return `must have ${word} ${bound} item${bound === '1' ? '' : 's'}`;
    default:
      return undefined;
  }
}

/**
 * zod's words for a value of the wrong type, as the API says them: a field
 * that is absent "is required"; one that is present but wrong says what it
 * should be and what it is ("must be a string; got an array"), never that it
 * is missing. Schema-level messages (set on a field) take precedence.
 */
export const fieldErrorMap: z.core.$ZodErrorMap = (issue) => {
  if (issue.code === 'invalid_value') return oneOf(issue);
  if (issue.code === 'too_big' || issue.code === 'too_small') return outOfRange(issue);
  if (issue.code !== 'invalid_type') return undefined;
  if (issue.input === undefined) return 'is required';
  const expected = EXPECTED[issue.expected] ?? issue.expected;
  if (typeof issue.input === 'number' && !Number.isFinite(issue.input) && issue.expected !== 'string') {
    return `must be a finite number; got ${describeValue(issue.input)}`;
  }
  return `must be ${expected}; got ${describeValue(issue.input)}`;
};

/**
 * `schema.safeParse` with the API's words for type errors ({@link fieldErrorMap}).
 * Every parse whose issues reach a caller goes through this.
 *
 * @param schema - the zod schema to apply
 * @param input - untrusted data
 */
export function safeParseInput<S extends ParsableSchema>(
  schema: S,
  input: unknown,
): z.core.util.SafeParseResult<z.output<S>> {
  return schema.safeParse(input, { error: fieldErrorMap }) as z.core.util.SafeParseResult<z.output<S>>;
}

/** A schema of zod's classic or its tree-shaken mini API (the environment schemas use mini). */
export type ParsableSchema = z.core.$ZodType & {
  safeParse(
    input: unknown,
    params?: z.core.ParseContext<z.core.$ZodIssue>,
  ): z.core.util.SafeParseResult<unknown>;
};

/** Dotted field path of a zod issue, with an optional prefix (`appointment.startAt`). */
function joinPath(prefix: string, path: readonly PropertyKey[]): string {
  return [prefix, ...path.map(String)].filter((part) => part !== '').join('.');
}

/**
 * Turns zod issues into field issues. Unknown keys become one issue per key
 * (`patient.nickname: unknown field`) so a typo is named, not summarised.
 * Messages are taken as they are: parse with {@link safeParseInput} so that
 * they say what is wrong.
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
    return [{ path: joinPath(prefix, issue.path), message: issue.message }];
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
  const result = safeParseInput(schema, input);
  if (!result.success) throw new ValidationError(toFieldIssues(result.error.issues, prefix));
  return result.data;
}
