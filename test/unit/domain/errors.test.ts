import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  AppError,
  ConfigError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  PayloadTooLargeError,
  PermanentDeliveryError,
  TransientDeliveryError,
  UnauthorizedError,
  ValidationError,
} from '../../../shared/domain/errors';
import { parseOrThrow, toFieldIssues } from '../../../shared/domain/validation';

describe('errors', () => {
  it('names each error after its class and tells whether its message may be shown', () => {
    const errors = [
      new NotFoundError('no such clinic'),
      new ConflictError('stale', 4),
      new UnauthorizedError('no token', 'no-token'),
      new ForbiddenError('not your clinic'),
      new PayloadTooLargeError('too big', 1024),
      new TransientDeliveryError('throttled', 'Throttling'),
      new PermanentDeliveryError('bad number', 'invalid-address', 'InvalidParameter'),
      new ConfigError([{ path: 'TABLE', message: 'is required' }], 'environment'),
    ];
    expect(errors.map((error) => [error.name, error.expose])).toEqual([
      ['NotFoundError', true],
      ['ConflictError', true],
      ['UnauthorizedError', true],
      ['ForbiddenError', true],
      ['PayloadTooLargeError', true],
      ['TransientDeliveryError', false],
      ['PermanentDeliveryError', false],
      ['ConfigError', false],
    ]);
    for (const error of errors) expect(error).toBeInstanceOf(AppError);
    expect((errors[1] as ConflictError).currentVersion).toBe(4);
    expect((errors[4] as PayloadTooLargeError).limit).toBe(1024);
    expect(errors[7]?.message).toBe('Invalid environment: TABLE: is required');
  });

  it('lists every bad field of a validation error', () => {
    const error = new ValidationError([
      { path: 'phone', message: 'is required' },
      { path: '', message: 'is empty' },
    ]);
    expect(error.message).toBe('Invalid input: phone: is required; (root): is empty');
    expect(ValidationError.field('email', 'is invalid').issues).toEqual([
      { path: 'email', message: 'is invalid' },
    ]);
    expect(new ValidationError([], 'Nothing to import').message).toBe('Nothing to import');
  });
});

describe('parseOrThrow', () => {
  const Schema = z.strictObject({
    name: z.string(),
    contact: z.union([
      z.strictObject({ phone: z.string().min(3) }),
      z.strictObject({ email: z.email(), name: z.string() }),
    ]),
  });

  it('returns the parsed value', () => {
    expect(parseOrThrow(Schema, { name: 'Ana', contact: { phone: '123' } })).toEqual({
      name: 'Ana',
      contact: { phone: '123' },
    });
  });

  it('names every bad field, each unknown key, and the closest branch of a union, under a prefix', () => {
    try {
      parseOrThrow(Schema, { nickname: 'x', extra: 1, contact: { phone: '1' } }, 'body');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues).toEqual([
        { path: 'body.name', message: 'is required' },
        { path: 'body.contact.phone', message: 'must have at least 3 characters' },
        { path: 'body.nickname', message: 'unknown field' },
        { path: 'body.extra', message: 'unknown field' },
      ]);
    }
  });

  it('says what an enum, a bound or a length allows, in the API’s words, never echoing the value given', () => {
    const Shape = z.strictObject({
      kind: z.enum(['refill', 'vaccination']),
      mode: z.literal('sms'),
      limit: z.int().min(1).max(100),
      ratio: z.number().gt(0),
      note: z.string().max(5),
      tags: z.array(z.string()).min(1),
    });
    try {
      parseOrThrow(Shape, { mode: 'fax', limit: 500, ratio: 0, note: 'too long', tags: [] });
      expect.unreachable();
    } catch (error) {
      expect((error as ValidationError).issues).toEqual([
        { path: 'kind', message: 'is required' },
        { path: 'mode', message: 'must be sms' },
        { path: 'limit', message: 'must be at most 100' },
        { path: 'ratio', message: 'must be more than 0' },
        { path: 'note', message: 'must have at most 5 characters' },
        { path: 'tags', message: 'must have at least 1 item' },
      ]);
    }
    expect(() => parseOrThrow(Shape.pick({ kind: true }), { kind: 'x-ray' })).toThrow(
      'kind: must be one of refill, vaccination',
    );
  });

  it('reports the branch of a union that came closest when no branch fits', () => {
    expect(() => parseOrThrow(Schema, { name: 'Ana', contact: {} })).toThrow(
      expect.objectContaining({ issues: [{ path: 'contact.phone', message: 'is required' }] }),
    );
  });

  it('reports an empty union as it is', () => {
    const issues = toFieldIssues([
      { code: 'invalid_union', errors: [], path: ['x'], message: 'Invalid input', input: 1 },
    ]);
    expect(issues).toEqual([{ path: 'x', message: 'Invalid input' }]);
  });
});
