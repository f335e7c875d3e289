import { z } from 'zod';

/** What the seed-clinics function reads from its environment. */
export const SeedClinicsEnv = z.object({
  AWS_REGION: z.string().min(1),
  CLINICS_TABLE: z.string().min(1),
});
