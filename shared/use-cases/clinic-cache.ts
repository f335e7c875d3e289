import type { Clinic } from '../domain/model';
import type { Clock } from '../domain/time';
import type { ClinicRepository } from '../ports/repositories';

/**
 * Clinic settings change rarely and are read for every message, so a warm
 * Lambda keeps them for `ttlSeconds`. A policy change therefore takes effect
 * within that time.
 */
export class ClinicCache {
  private readonly entries = new Map<string, { clinic: Clinic; until: number }>();

  constructor(
    private readonly clinics: ClinicRepository,
    private readonly clock: Clock,
    private readonly ttlSeconds = 60,
  ) {}

  async get(clinicId: string): Promise<Clinic | undefined> {
    const now = this.clock.now().toMillis();
    const cached = this.entries.get(clinicId);
    if (cached && cached.until > now) return cached.clinic;
    const clinic = await this.clinics.get(clinicId);
    // A miss is not cached: the clinic may be created a moment later.
    if (clinic) this.entries.set(clinicId, { clinic, until: now + this.ttlSeconds * 1000 });
    return clinic;
  }
}
