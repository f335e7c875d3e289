/** The import route: appointments and patients from CSV or a FHIR R4 Bundle, with a per-row report. */
import * as z from 'zod';
import { isCareReminderCsv } from '../../api/import/care-csv';
import { FhirBundleSchema } from '../../api/import/fhir';
import { ImportReportSchema } from '../../api/schemas';
import { ValidationError } from '../../domain/errors';
import { importAppointments } from '../../use-cases/staff/import-appointments';
import { importCareReminders } from '../../use-cases/staff/import-care-reminders';
import { UnsupportedMediaTypeError } from '../errors';
import { bodyBytes, mediaTypeOf } from '../request';
import { ERRORS, pathClinicId, type StaffRoute } from './context';

const IMPORT_MEDIA = ['text/csv', 'application/fhir+json', 'application/json'];

export const IMPORT_ROUTES: readonly StaffRoute[] = [
  {
    method: 'POST',
    path: '/v1/clinics/{clinicId}/imports',
    role: 'staff',
    doc: {
      operationId: 'importAppointments',
      summary: 'Import appointments and patients from CSV or a FHIR R4 Bundle',
      description:
        'Every row is checked first; valid rows are applied, rejected rows change nothing, and the report ' +
        'lists each row as created, updated, unchanged or rejected (with the field of the file and why). ' +
        'Importing the same file again changes nothing. The file is the source of truth: no If-Match. ' +
        'Limits: 1 MiB and 1000 rows by default (IMPORT_MAX_BYTES, IMPORT_MAX_ROWS); beyond them, 413. ' +
        'A CSV whose header names `reminderId` is a file of care reminders instead (reminderId, patientId, kind, ' +
        'dueOn, repeat, actionPhone, actionUrl), each row saved as a PUT of that care reminder would be. ' +
        'See docs/api.md for the CSV columns and the FHIR mapping.',
      tag: 'Imports',
      body: {
        required: true,
        content: {
          'text/csv': {
            schema: z.string(),
            description: 'Header line, then one appointment with its patient per line (see docs/api.md).',
          },
          'application/fhir+json': { schema: FhirBundleSchema, description: 'A FHIR R4 Bundle' },
        },
      },
      responses: {
        200: { description: 'The per-row report', schema: ImportReportSchema },
        ...ERRORS,
        413: { description: 'The file is over the byte or row limit' },
        415: { description: 'Neither text/csv nor application/fhir+json' },
      },
    },
    async handle({ deps, event, headers, principal }, params) {
      const id = pathClinicId(params);
      const mediaType = mediaTypeOf(headers);
      if (!mediaType || !IMPORT_MEDIA.includes(mediaType)) {
        throw new UnsupportedMediaTypeError(
          `Send the import as text/csv or application/fhir+json${mediaType ? `, not ${mediaType}` : ''}.`,
          IMPORT_MEDIA,
        );
      }
      const bytes = bodyBytes(event, deps.config.importMaxBytes, 'import');
      let text: string;
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      } catch {
        throw ValidationError.field('body', 'is not UTF-8 text');
      }
      const format = mediaType === 'text/csv' ? 'csv' : 'fhir';
      if (format === 'csv' && isCareReminderCsv(text)) {
        const care = await importCareReminders(
          deps,
          id,
          text,
          { maxRows: deps.config.importMaxRows },
          principal.subject,
        );
        return { status: 200, body: care };
      }
      const report = await importAppointments(
        deps,
        id,
        { format, text },
        { maxRows: deps.config.importMaxRows },
      );
      return { status: 200, body: report };
    },
  },
];
