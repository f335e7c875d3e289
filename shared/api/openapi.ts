/**
 * The OpenAPI 3.1 document of the staff API, generated from the route table
 * and the zod schemas the handlers parse with (JSON Schema 2020-12, the
 * dialect of OpenAPI 3.1). Request bodies are described as accepted
 * (defaults make fields optional), responses as returned.
 */

import * as z from 'zod';
import { CaseIdSchema } from '../domain/cases/case';
import {
  ClinicIdSchema,
  E164PhoneSchema,
  EntityIdSchema,
  LanguageSchema,
  OffsetSchema,
  TimeZoneSchema,
  UtcInstantSchema,
} from '../domain/model';
import type { Role } from '../domain/roles';
import type { Route } from '../http/router';
import { FhirBundleSchema } from './import/fhir';
import {
  AppointmentBodySchema,
  AppointmentPageSchema,
  AppointmentViewSchema,
  CancelBodySchema,
  ClinicBodySchema,
  ClinicResponseSchema,
  ConversationSchema,
  EmptyBodySchema,
  ErrorBodySchema,
  HealthSchema,
  IdempotencyKeySchema,
  ImportReportSchema,
  InboxItemIdSchema,
  InboxItemSchema,
  InboxPageSchema,
  MetricsSchema,
  PatientBodySchema,
  PatientResponseSchema,
  StaffReplyAcceptedSchema,
  StaffReplyBodySchema,
  TimelineSchema,
} from './schemas';

type JsonSchema = Record<string, unknown>;
type Io = 'input' | 'output';

/** Schemas that get a name under components/schemas, by direction. */
const NAMED: Record<Io, [z.ZodType, string][]> = {
  input: [
    [ClinicBodySchema, 'ClinicInput'],
    [PatientBodySchema, 'PatientInput'],
    [AppointmentBodySchema, 'AppointmentInput'],
    [CancelBodySchema, 'CancelInput'],
    [EmptyBodySchema, 'EmptyInput'],
    [StaffReplyBodySchema, 'StaffReplyInput'],
    [FhirBundleSchema, 'FhirBundle'],
  ],
  output: [
    [ClinicResponseSchema, 'Clinic'],
    [PatientResponseSchema, 'Patient'],
    [AppointmentViewSchema, 'Appointment'],
    [AppointmentPageSchema, 'AppointmentPage'],
    [TimelineSchema, 'MessageTimeline'],
    [MetricsSchema, 'Metrics'],
    [InboxItemSchema, 'InboxItem'],
    [InboxPageSchema, 'InboxPage'],
    [ConversationSchema, 'Conversation'],
    [StaffReplyAcceptedSchema, 'StaffReplyAccepted'],
    [ImportReportSchema, 'ImportReport'],
    [HealthSchema, 'Health'],
    [ErrorBodySchema, 'Error'],
  ],
};

const REF = (name: string) => `#/components/schemas/${name}`;

/** What the shared scalars mean, for readers of the document (their checks are refinements). */
const SCALARS = new Map<z.core.$ZodType, JsonSchema>([
  [UtcInstantSchema, { type: 'string', format: 'date-time', description: 'UTC instant ending in Z' }],
  [E164PhoneSchema, { type: 'string', description: 'E.164 phone number', examples: ['+12025550143'] }],
  [TimeZoneSchema, { type: 'string', description: 'IANA time zone', examples: ['America/New_York'] }],
  [LanguageSchema, { type: 'string', description: 'BCP 47 language', examples: ['en', 'pt-BR'] }],
  [OffsetSchema, { type: 'string', description: 'offset: days (3d), hours (2h) or minutes (90m)' }],
]);

/**
 * Describes the shared scalars. Stored instants and offsets are checked
 * strings that zod normalises with a transform, which JSON Schema cannot
 * express on the output side; the string format is the same both ways.
 */
function describeScalars(ctx: { zodSchema: z.core.$ZodTypes; jsonSchema: JsonSchema }): void {
  const known = SCALARS.get(ctx.zodSchema);
  if (!known) return;
  const { default: fallback } = ctx.jsonSchema;
  for (const key of Object.keys(ctx.jsonSchema)) delete ctx.jsonSchema[key];
  Object.assign(ctx.jsonSchema, known, fallback === undefined ? {} : { default: fallback });
}

/** JSON Schemas of the named components of one direction, with refs between them. */
function componentSchemas(io: Io): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [schema, id] of NAMED[io]) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    io,
    target: 'draft-2020-12',
    unrepresentable: 'any',
    uri: REF,
    override: describeScalars,
  }) as { schemas: Record<string, JsonSchema> };
  return Object.fromEntries(
    Object.entries(schemas).map(([id, schema]) => {
      const { $schema: _schema, $id: _id, ...rest } = schema;
      return [id, rest];
    }),
  );
}

/** A schema of a route: a $ref when named, else inlined. */
function schemaOf(schema: z.ZodType, io: Io): JsonSchema {
  const named = NAMED[io].find(([candidate]) => candidate === schema);
  if (named) return { $ref: REF(named[1]) };
  const { $schema: _schema, ...rest } = z.toJSONSchema(schema, {
    io,
    target: 'draft-2020-12',
    unrepresentable: 'any',
    override: describeScalars,
  }) as JsonSchema;
  return rest;
}

const PATH_PARAMETERS: Record<string, { schema: z.ZodType; description: string }> = {
  clinicId: { schema: ClinicIdSchema, description: 'The clinic; the token must name it.' },
  patientId: { schema: EntityIdSchema, description: 'The clinic’s own patient id.' },
  appointmentId: { schema: EntityIdSchema, description: 'The clinic’s own appointment id.' },
  itemId: { schema: InboxItemIdSchema, description: 'An inbox text: its `itemId` (the inbound message id).' },
  reminderId: {
    schema: EntityIdSchema,
    description: 'The clinic’s own care reminder id (letters, digits, . _ -).',
  },
  broadcastId: {
    schema: EntityIdSchema,
    description: 'The clinic’s own broadcast id (letters, digits, . _ -).',
  },
  caseId: { schema: CaseIdSchema, description: 'A feedback case: its `caseId`.' },
  token: {
    schema: z.string().min(1),
    description: 'The survey link’s signed token (`<payload>.<signature>`, base64url), as the email has it.',
  },
};

/** The line each operation's description ends with: who may call it. */
const ROLE_LINES: Record<Role, string> = {
  staff: 'Role: `staff` or `clinic-admin` (either Cognito group).',
  'clinic-admin': 'Role: `clinic-admin` only; a `staff` token gets 403 with `error.requiredRole`.',
};

function operationOf(route: Route<never>): JsonSchema {
  const { doc } = route;
  const parameters: JsonSchema[] = [];
  for (const match of route.path.matchAll(/\{(\w+)\}/g)) {
    const name = match[1] ?? '';
    const param = PATH_PARAMETERS[name];
    parameters.push({
      name,
      in: 'path',
      required: true,
      ...(param ? { description: param.description, schema: schemaOf(param.schema, 'input') } : {}),
    });
  }
  for (const [name, field] of Object.entries(doc.query?.shape ?? {})) {
    const schema = field as z.ZodType;
    parameters.push({
      name,
      in: 'query',
      required: !schema.safeParse(undefined).success,
      schema: schemaOf(schema, 'input'),
    });
  }
  if (doc.ifMatch) {
    parameters.push({
      name: 'If-Match',
      in: 'header',
      required: false,
      description:
        doc.ifMatch === 'update'
          ? 'The ETag (version) you read. Required to change an existing record; must be absent to create one.'
          : 'The ETag (version) you read; optional.',
      schema: { type: 'string', examples: ['"3"'] },
    });
  }
  if (doc.idempotencyKey) {
    parameters.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description: doc.idempotencyKey,
      schema: schemaOf(IdempotencyKeySchema, 'input'),
    });
  }
  const responses: JsonSchema = {};
  for (const [status, response] of Object.entries(doc.responses)) {
    const isError = Number(status) >= 400;
    const schema = response.schema ?? (isError ? ErrorBodySchema : undefined);
    const content = response.html
      ? { 'text/html': { schema: { type: 'string' } } }
      : schema
        ? { 'application/json': { schema: schemaOf(schema, 'output') } }
        : undefined;
    responses[status] = {
      description: response.description,
      ...(response.etag
        ? { headers: { ETag: { description: 'The version, quoted ("3")', schema: { type: 'string' } } } }
        : {}),
      ...(content ? { content } : {}),
    };
  }
  const roleLine = route.public ? undefined : ROLE_LINES[route.role];
  const description = [doc.description, roleLine].filter(Boolean).join('\n\n');
  return {
    operationId: doc.operationId,
    summary: doc.summary,
    ...(description ? { description } : {}),
    tags: [doc.tag],
    ...(route.public ? { security: [] } : { 'x-required-role': route.role }),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(doc.body
      ? {
          requestBody: {
            required: doc.body.required,
            content: Object.fromEntries(
              Object.entries(doc.body.content).map(([mediaType, body]) => [
                mediaType,
                // A Media Type Object has no description of its own: it goes on the schema.
                {
                  schema: {
                    ...(schemaOf(body.schema, 'input') as Record<string, unknown>),
                    ...(body.description ? { description: body.description } : {}),
                  },
                },
              ]),
            ),
          },
        }
      : {}),
    responses,
  };
}

/**
 * The OpenAPI 3.1 document for a route table.
 *
 * @param routes - the staff API's routes
 */
export function buildOpenApiDocument(routes: readonly Route<never>[]): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    paths[route.path] ??= {};
    (paths[route.path] as Record<string, JsonSchema>)[route.method.toLowerCase()] = operationOf(route);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'clinic-reminders staff API',
      version: '1.0.0',
      description:
        'Clinic settings, patients, appointments, message timelines, the inbox of patients’ texts, metrics and bulk import. Every ' +
        '/v1/clinics/{clinicId} route needs a bearer token (a Cognito ID token in AWS, a local token in ' +
        'local mode) whose `custom:clinics` claim lists the clinic; any other clinic is refused with 403 ' +
        'before anything is read or written. Each operation names the role it needs in `x-required-role` ' +
        '(the `cognito:groups` claim: `staff` or `clinic-admin`, an admin may do all that staff may); a ' +
        'token without it gets 403 naming the role, and nothing is written. Times are stored and returned in UTC; local views name their zone.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    servers: [{ url: '/', description: 'The API’s own origin' }],
    security: [{ bearerAuth: [] }],
    tags: [
      { name: 'Clinics' },
      { name: 'Patients' },
      { name: 'Appointments' },
      { name: 'Inbox' },
      { name: 'Imports' },
      { name: 'Service' },
    ],
    paths,
    components: {
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'An ID token whose custom:clinics claim is a comma-separated list of clinic ids and whose ' +
            'cognito:groups claim names the role (staff or clinic-admin).',
        },
      },
      schemas: { ...componentSchemas('input'), ...componentSchemas('output') },
    },
  };
}
