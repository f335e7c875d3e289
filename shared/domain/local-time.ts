import * as z from 'zod';

/** A local wall-clock time of day, `HH:mm` (quiet hours, business hours). */
export const LocalTimeSchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a 24-hour time HH:mm');
