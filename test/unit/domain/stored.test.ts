import { describe, expect, it } from 'vitest';
import {
  AppointmentSchema,
  ClinicSchema,
  DEFAULT_POLICY,
  InboundMessageSchema,
  MessageSchema,
  PatientSchema,
} from '../../../shared/domain/model';
import {
  readClinic,
  readPatient,
  StoredAppointmentShape,
  StoredClinicShape,
  StoredInboundShape,
  StoredMessageShape,
  StoredPatientShape,
} from '../../../shared/domain/stored';
import { makeClinic, makePatient } from '../../support/factories';

interface Def {
  type: string;
  shape?: Record<string, { _zod: { def: Def } }>;
  innerType?: { _zod: { def: Def } };
  in?: { _zod: { def: Def } };
  element?: { _zod: { def: Def } };
  valueType?: { _zod: { def: Def } };
  entries?: Record<string, string>;
  options?: { _zod: { def: Def } }[];
  defaultValue?: unknown;
}

/**
 * What a schema says about stored data, and nothing about rules: the
 * fields, which are optional or defaulted (with the default), and the type
 * of each value. Refinements, formats and ranges leave no trace; a
 * transform counts as the type it reads.
 */
function skeleton(schema: { _zod: { def: Def } }): unknown {
  const def = schema._zod.def;
  switch (def.type) {
    case 'object':
      return Object.fromEntries(
        Object.entries(def.shape ?? {}).map(([key, inner]) => [key, skeleton(inner)]),
      );
    case 'optional':
      return { optional: skeleton(def.innerType as never) };
    case 'default':
      return { default: skeleton(def.innerType as never), value: JSON.stringify(def.defaultValue) };
    case 'pipe':
      return skeleton(def.in as never);
    case 'array':
      return { array: skeleton(def.element as never) };
    case 'record':
      return { record: skeleton(def.valueType as never) };
    case 'union':
      return { union: (def.options ?? []).map(skeleton) };
    case 'enum':
      return { enum: Object.values(def.entries ?? {}).sort() };
    default:
      return def.type;
  }
}

describe('stored record shapes', () => {
  it.each([
    ['clinic', ClinicSchema, StoredClinicShape],
    ['patient', PatientSchema, StoredPatientShape],
    ['appointment', AppointmentSchema, StoredAppointmentShape],
    ['message', MessageSchema, StoredMessageShape],
    ['inbound message', InboundMessageSchema, StoredInboundShape],
  ] as const)(
    'reads every field of a stored %s that the full schema defines, with the same defaults',
    (_name, full, stored) => {
      expect(skeleton(stored as never)).toEqual(skeleton(full as never));
    },
  );

  it('fills in the default policy of a clinic stored before it had one, as the full schema would', () => {
    // Prepare
    const { policy: _policy, ...withoutPolicy } = makeClinic();

    // Act
    const read = readClinic(withoutPolicy);

    // Assess
    expect(read.policy).toEqual(DEFAULT_POLICY);
  });

  it('reads a patient whose phone no longer passes validation, and one with a field from a later version', () => {
    // Prepare
    const stored = { ...makePatient(), phone: '+11234567890', nickname: 'from a later version' };

    // Act
    const read = readPatient(stored);

    // Assess
    expect(PatientSchema.safeParse({ ...stored, nickname: undefined }).success).toBe(false);
    expect(read.phone).toBe('+11234567890');
    expect(read).not.toHaveProperty('nickname');
  });
});
