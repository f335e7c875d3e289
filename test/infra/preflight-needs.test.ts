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
    'asks the group example for a quota of 148: its sender reserves 15 for 10 SMS and 50 emails a second',
    () => {
      // Act
      const needs = deploymentNeeds(loadDeploymentConfig('group-example'));

      // Assess
      const reserved = needs.reservedConcurrency.reduce((sum, entry) => sum + entry.reserved, 0);
      expect(reserved + LAMBDA_MIN_UNRESERVED).toBe(148);
      expect(
        needs.reservedConcurrency.find((entry) => entry.logicalId.startsWith('SendMessage'))?.reserved,
      ).toBe(15);
    },
    SYNTH_TIMEOUT,
  );
});
