/**
 * The staff API client: openapi-fetch over the types generated from the
 * served OpenAPI document (schema.gen.ts), with the session's bearer token.
 */
import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema.gen';

export type Schemas = components['schemas'];
export type Appointment = Schemas['Appointment'];
export type AppointmentPage = Schemas['AppointmentPage'];
export type Clinic = Schemas['Clinic'];
export type Patient = Schemas['Patient'];
export type Timeline = Schemas['MessageTimeline'];
export type TimelineMessage = Timeline['messages'][number];
export type Metrics = Schemas['Metrics'];
export type InboxItem = Schemas['InboxItem'];
/** The JSON body of a response or request (the broadcast schemas are inline in the document). */
type JsonOf<T> = T extends { content: { 'application/json': infer Body } } ? Body : never;
export type Broadcast = JsonOf<
  paths['/v1/clinics/{clinicId}/broadcasts/{broadcastId}']['get']['responses'][200]
>;
export type BroadcastInput = JsonOf<
  NonNullable<paths['/v1/clinics/{clinicId}/broadcasts/{broadcastId}']['put']['requestBody']>
>;
export type CaseView = JsonOf<paths['/v1/clinics/{clinicId}/cases/{caseId}']['get']['responses'][200]>;
export type BroadcastPreview = JsonOf<
  paths['/v1/clinics/{clinicId}/broadcasts/preview']['post']['responses'][200]
>;
export type Conversation = Schemas['Conversation'];
export type ConversationItem = Conversation['items'][number];
export type ApiError = Schemas['Error'];

export type Api = ReturnType<typeof createClient<paths>>;

export function createApi(baseUrl: string, token: () => string | undefined, onUnauthorized: () => void): Api {
  const api = createClient<paths>({ baseUrl });
  const auth: Middleware = {
    onRequest({ request }) {
      const value = token();
      if (value) request.headers.set('authorization', `Bearer ${value}`);
      return request;
    },
    onResponse({ response }) {
      if (response.status === 401) onUnauthorized();
      return response;
    },
  };
  api.use(auth);
  return api;
}

/**
 * A readable line for an error answer: its message, then each field issue
 * the message does not already say (the API's message for a 400 lists its
 * issues), each once.
 *
 * @param error - the answer's body
 * @param status - the HTTP status, said when the body has no message
 */
export function describeError(error: unknown, status?: number): string {
  const inner = (error as Partial<ApiError> | undefined)?.error;
  const message = inner?.message ?? (status ? `HTTP ${status}` : 'request failed');
  const lines = [message];
  for (const issue of inner?.issues ?? []) {
    const line = `${issue.path}: ${issue.message}`;
    if (!lines.some((said) => said.includes(line))) lines.push(line);
  }
  return lines.join('; ');
}
