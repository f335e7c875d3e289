/** Routes that need no token: liveness and the API's own description. */
import { HealthSchema } from '../../api/schemas';
import type { StaffRoute } from './context';

/**
 * The public routes.
 *
 * @param openApiDocument - the document of every route (built by staff-api.ts, which knows them all)
 */
export function serviceRoutes(openApiDocument: () => unknown): StaffRoute[] {
  return [
    {
      method: 'GET',
      path: '/health',
      public: true,
      doc: {
        operationId: 'health',
        summary: 'Liveness check',
        tag: 'Service',
        responses: { 200: { description: 'The API answers', schema: HealthSchema } },
      },
      async handle() {
        return { status: 200, body: { status: 'ok' } };
      },
    },
    {
      method: 'GET',
      path: '/openapi.json',
      public: true,
      doc: {
        operationId: 'openapi',
        summary: 'This OpenAPI 3.1 document',
        tag: 'Service',
        responses: { 200: { description: 'The OpenAPI document' } },
      },
      async handle() {
        return { status: 200, body: openApiDocument(), headers: { 'cache-control': 'public, max-age=300' } };
      },
    },
  ];
}
