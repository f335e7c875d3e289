import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  PayloadTooLargeError,
  TransientDeliveryError,
  UnauthorizedError,
  ValidationError,
} from '../../../shared/domain/errors';
import { clinicsOfClaim } from '../../../shared/http/auth';
import { errorResponse, MethodNotAllowedError, UnsupportedMediaTypeError } from '../../../shared/http/errors';
import { toApiEvent } from '../../../shared/http/events';
import { bodyBytes, expectedVersionOf, jsonBody } from '../../../shared/http/request';

describe('If-Match', () => {
  it.each([
    ['"3"', 3],
    ['3', 3],
    ['W/"12"', 12],
    [' "7" ', 7],
  ])('reads %s as version %i', (header, version) => {
    expect(expectedVersionOf({ 'if-match': header })).toBe(version);
  });

  it('is undefined when absent or empty', () => {
    expect(expectedVersionOf({})).toBeUndefined();
    expect(expectedVersionOf({ 'if-match': '' })).toBeUndefined();
  });

  it.each(['*', '"0"', '"abc"', '"1", "2"', '-1', '"99999999999999999"'])(
    'refuses %s on the If-Match path',
    (header) => {
      expect(() => expectedVersionOf({ 'if-match': header })).toThrow(ValidationError);
    },
  );
});

describe('request bodies', () => {
  it('decodes a base64 body and refuses one over the limit with 413', () => {
    const event = toApiEvent({ method: 'POST', url: '/x', body: Buffer.from('hello') });

    expect(bodyBytes(event, 10).toString()).toBe('hello');
    expect(() => bodyBytes(event, 4)).toThrow(PayloadTooLargeError);
  });

  it('takes an empty body as {} only where allowed, and names the body when it is not an object', () => {
    const empty = toApiEvent({ method: 'POST', url: '/x' });
    const array = toApiEvent({ method: 'POST', url: '/x', body: '[1]' });

    expect(jsonBody(empty, 100, { emptyAllowed: true })).toEqual({});
    expect(() => jsonBody(empty, 100)).toThrow(/body: is required/);
    expect(() => jsonBody(array, 100)).toThrow(/body: must be a JSON object/);
  });

  it('accepts +json media types and refuses others with 415', () => {
    const fhir = toApiEvent({
      method: 'PUT',
      url: '/x',
      body: '{}',
      headers: { 'Content-Type': 'application/merge-patch+json' },
    });
    const text = toApiEvent({
      method: 'PUT',
      url: '/x',
      body: '{}',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });

    expect(jsonBody(fhir, 100)).toEqual({});
    expect(() => jsonBody(text, 100)).toThrow(UnsupportedMediaTypeError);
  });
});

describe('the clinics claim', () => {
  it('reads a comma-separated list, trimming blanks, and an array', () => {
    expect([...clinicsOfClaim(' demo-clinic, north ,,')]).toEqual(['demo-clinic', 'north']);
    expect([...clinicsOfClaim(['a', 'b'])]).toEqual(['a', 'b']);
    expect(clinicsOfClaim(undefined).size).toBe(0);
    expect(clinicsOfClaim(42).size).toBe(0);
  });
});

describe('errorResponse', () => {
  it.each([
    [new ValidationError([{ path: 'phone', message: 'bad' }]), 400, 'invalid-request'],
    [new UnauthorizedError('no token', 'no-token'), 401, 'unauthorized'],
    [new ForbiddenError('not yours'), 403, 'forbidden'],
    [new NotFoundError('gone'), 404, 'not-found'],
    [new MethodNotAllowedError('no', ['GET']), 405, 'method-not-allowed'],
    [new ConflictError('stale', 4), 409, 'conflict'],
    [new PayloadTooLargeError('big', 10), 413, 'payload-too-large'],
    [new UnsupportedMediaTypeError('xml', ['text/csv']), 415, 'unsupported-media-type'],
  ])('maps %o to %i %s', (error, status, code) => {
    const mapped = errorResponse(error);

    expect(mapped.statusCode).toBe(status);
    expect(mapped.body.error.code).toBe(code);
    expect(mapped.body.error.message).toBe(error.message);
  });

  it('carries issues, the current version, the limit and the Allow header', () => {
    expect(errorResponse(new ValidationError([{ path: 'a', message: 'b' }])).body.error.issues).toEqual([
      { path: 'a', message: 'b' },
    ]);
    expect(errorResponse(new ConflictError('stale', 4)).body.error.currentVersion).toBe(4);
    expect(errorResponse(new PayloadTooLargeError('big', 10)).body.error.limit).toBe(10);
    expect(errorResponse(new MethodNotAllowedError('no', ['GET', 'PUT'])).headers.allow).toBe('GET, PUT');
  });

  it('answers a plain 500 that reveals nothing for errors that must not be shown and for anything else', () => {
    const hidden = [
      new ConfigError([{ path: 'TABLE', message: 'missing' }], 'environment'),
      new TransientDeliveryError('throttled +14155552671', 'Throttling'),
      new Error('ValidationException: key {"phone":"+14155552671"}'),
      'a string',
    ];

    for (const error of hidden) {
      const mapped = errorResponse(error);
      expect(mapped.statusCode).toBe(500);
      expect(mapped.body).toEqual({
        error: { code: 'internal', message: expect.not.stringMatching(/4155552671|TABLE/) },
      });
    }
  });
});
