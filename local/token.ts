/**
 * `npm run token -- --clinic <id> [--role staff|clinic-admin] [--data-dir .local-data]`:
 * prints a local staff token for kept data, signed with the secret local
 * mode keeps in the data folder, so it works with `npm start` on that
 * folder whether it is running now or started later. Only the token goes to
 * stdout (`export TOKEN=$(npm run -s token -- --clinic demo-clinic)`).
 *
 * It does not start DynamoDB Local, so it cannot tell whether the clinic
 * exists; `POST /local/tokens` on the running server does (and is the way to
 * get a token for an `--in-memory` run, whose secret is kept nowhere).
 */
import { parseArgs } from 'node:util';
import { ClinicIdSchema } from '../shared/domain/model';
import { ROLES, type Role } from '../shared/domain/roles';
import { issueLocalToken, keptTokenSecret, LOCAL_TOKEN_TTL_DAYS, TOKEN_SECRET_FILE } from './tokens';

function fail(message: string): never {
  console.error(`npm run token: ${message}`);
  process.exit(1);
}

async function main() {
  let values: { clinic?: string; role?: string; 'data-dir'?: string };
  try {
    ({ values } = parseArgs({
      options: {
        clinic: { type: 'string' },
        role: { type: 'string', default: 'staff' },
        'data-dir': { type: 'string', default: '.local-data' },
      },
    }));
  } catch (error) {
    fail(`${(error as Error).message}; usage: npm run token -- --clinic <id> [--role staff|clinic-admin]`);
  }
  const clinic = values.clinic;
  const role = values.role ?? 'staff';
  const dataDir = values['data-dir'] ?? '.local-data';
  if (!clinic) fail('--clinic: is required (npm run token -- --clinic demo-clinic --role staff)');
  if (!ClinicIdSchema.safeParse(clinic).success)
    fail('--clinic: must be 1–48 lowercase letters, digits or hyphens');
  if (!(ROLES as readonly string[]).includes(role)) fail(`--role: must be one of ${ROLES.join(', ')}`);

  let secret: string | undefined;
  try {
    secret = keptTokenSecret(dataDir);
  } catch (error) {
    fail((error as Error).message);
  }
  if (!secret) {
    fail(
      `${dataDir}/ holds no ${TOKEN_SECRET_FILE}: run \`npm start\` once on it to create it. ` +
        'An --in-memory run keeps no secret; ask the running server instead: ' +
        `curl -s -X POST http://127.0.0.1:3000/local/tokens -H 'content-type: application/json' -d '{"clinicId":"${clinic}","role":"${role}"}'`,
    );
  }
  console.log(await issueLocalToken(secret, [clinic], role as Role));
  console.error(`(${role} token for ${clinic}, valid ${LOCAL_TOKEN_TTL_DAYS} days; data in ${dataDir}/)`);
}

await main();
