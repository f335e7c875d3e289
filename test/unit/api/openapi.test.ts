import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { openApiDocument, STAFF_API_ROUTES } from '../../../shared/http/staff-api';

// biome-ignore lint/suspicious/noExplicitAny: the document is plain JSON
const doc = openApiDocument() as any;

function refsIn(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) refsIn(item, found);
  else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === '$ref' && typeof inner === 'string') found.push(inner);
      else refsIn(inner, found);
    }
  }
  return found;
}

describe('GET /openapi.json document', () => {
  it("passes a maintained OpenAPI 3.1 validator (the specification's own JSON Schema)", async () => {
    // Prepare
    const validator = new Validator();

    // Act: a copy, since the validator may annotate what it is given.
    const result = await validator.validate(structuredClone(doc));

    // Assess
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('is OpenAPI 3.1 with JSON Schema 2020-12 and describes every route of the route table', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.jsonSchemaDialect).toBe('https://json-schema.org/draft/2020-12/schema');
    for (const route of STAFF_API_ROUTES) {
      expect(doc.paths[route.path]?.[route.method.toLowerCase()]?.operationId).toBe(route.doc.operationId);
    }
    const ids = STAFF_API_ROUTES.map((route) => route.doc.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("names each clinic route's role from the route table (x-required-role and a description line)", () => {
    for (const route of STAFF_API_ROUTES) {
      const operation = doc.paths[route.path][route.method.toLowerCase()];
      if (route.public) {
        expect(operation['x-required-role']).toBeUndefined();
        continue;
      }
      expect(operation['x-required-role'], route.path).toBe(route.role);
      expect(operation.description).toContain(`Role: \`${route.role}\``);
    }
    expect(doc.paths['/v1/clinics/{clinicId}'].put['x-required-role']).toBe('clinic-admin');
    expect(doc.components.schemas.Error.properties.error.properties.requiredRole.enum).toEqual([
      'staff',
      'clinic-admin',
    ]);
  });

  it('resolves every $ref to a component schema', () => {
    const refs = refsIn(doc);

    expect(refs.length).toBeGreaterThan(20);
    for (const ref of refs) {
      const name = ref.replace('#/components/schemas/', '');
      expect(doc.components.schemas[name], ref).toBeDefined();
    }
  });

  it('describes request bodies as the handlers parse them: unknown fields refused, required fields named', () => {
    const { ClinicInput, PatientInput, AppointmentInput } = doc.components.schemas;

    expect(ClinicInput).toMatchObject({
      additionalProperties: false,
      required: ['name', 'timeZone', 'contactPhone'],
    });
    expect(PatientInput.required).toEqual(['firstName', 'channels']);
    expect(AppointmentInput.properties.startAt).toMatchObject({ type: 'string', format: 'date-time' });
    expect(AppointmentInput.properties.type.default).toBe('default');
  });

  it('asks for the bearer token on clinic routes only, and documents 403 on each of them', () => {
    for (const route of STAFF_API_ROUTES) {
      const operation = doc.paths[route.path][route.method.toLowerCase()];
      if (route.public) expect(operation.security).toEqual([]);
      else {
        expect(operation.security).toBeUndefined();
        expect(operation.responses['403']).toBeDefined();
      }
    }
    expect(doc.security).toEqual([{ bearerAuth: [] }]);
  });

  it('documents If-Match and ETag on versioned routes, and both import media types', () => {
    const put = doc.paths['/v1/clinics/{clinicId}/appointments/{appointmentId}'].put;
    const imports = doc.paths['/v1/clinics/{clinicId}/imports'].post;

    expect(put.parameters.map((p: { name: string }) => p.name)).toContain('If-Match');
    expect(put.responses['200'].headers.ETag).toBeDefined();
    expect(Object.keys(imports.requestBody.content)).toEqual(['text/csv', 'application/fhir+json']);
    expect(imports.responses['413']).toBeDefined();
  });
});
