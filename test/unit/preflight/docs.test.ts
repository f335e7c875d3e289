import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runPreflight } from '../../../infra/preflight/preflight';
import { formatReport } from '../../../infra/preflight/report';
import { installNewAccount, installReadyAccount, mockedAccount } from './recorded-accounts';

const guide = readFileSync(new URL('../../../docs/deploy.md', import.meta.url), 'utf8');

describe('docs/deploy.md', () => {
  it.each([
    ['an account ready for its first deploy', installReadyAccount],
    ['a freshly opened account', installNewAccount],
  ])('shows exactly what the preflight prints for %s', async (_name, install) => {
    // Arrange
    const account = mockedAccount();
    install(account);

    // Act
    const report = formatReport(await runPreflight(account.context), {
      name: 'riverside',
      region: 'us-east-1',
    });

    // Assess
    expect(guide).toContain(`\`\`\`text\n${report}\`\`\``);
  });
});
