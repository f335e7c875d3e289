import { describe, expect, it } from 'vitest';
import { loadDeploymentConfig } from '../../infra/config/load';
import { LAMBDA_MIN_UNRESERVED } from '../../infra/preflight/checks/lambda';
import { deploymentNeeds } from '../../infra/preflight/needs';
import { EXAMPLE_NEEDS } from '../unit/preflight/recorded-accounts';
import { SYNTH_TIMEOUT } from './support';

describe('what the preflight reads from the synthesised stacks', () => {
  it(
    'finds the example’s reservations, bootstrap version and user pool, as the unit tests’ recorded needs assume',
    () => {
      expect(deploymentNeeds(loadDeploymentConfig('example'))).toEqual(EXAMPLE_NEEDS);
    },
    SYNTH_TIMEOUT,
  );

  it(
    'asks the group example for a quota of 149: its sender reserves 16 for 13 SMS parts (the shared number’s 10, two clinics’ own 10DLC numbers at 2 and 1) and 50 emails a second',
    () => {
      // Act
      const needs = deploymentNeeds(loadDeploymentConfig('group-example'));

      // Assess
      const reserved = needs.reservedConcurrency.reduce((sum, entry) => sum + entry.reserved, 0);
      expect(reserved + LAMBDA_MIN_UNRESERVED).toBe(149);
      expect(
        needs.reservedConcurrency.find((entry) => entry.logicalId.startsWith('SendMessage'))?.reserved,
      ).toBe(16);
    },
    SYNTH_TIMEOUT,
  );
});
