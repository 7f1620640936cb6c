import { ACMClient } from '@aws-sdk/client-acm';
import { AcmImportTarget } from '../../../shared/store/acm/acm-import-target.js';
import type { AdapterBuilder } from './adapter.js';

/**
 * `targets`: the ACM import deploy target (re-import under the same ARN) in ACMEFLOW_ACM_REGION, when
 * ACMEFLOW_ACM_IMPORT is `true`. `awsDepsFromEnv` only: in the construct, ACM import is the deploy
 * hook's job (infra/deploy-hooks/acm-import), and no step function has ACM access.
 */
export const acmTargets: AdapterBuilder = {
  adapter: 'targets',
  build: (ctx) => (ctx.aws.acmImport ? { targets: [new AcmImportTarget({ client: new ACMClient({ region: ctx.aws.acmRegion, ...ctx.clientConfig.acm }) })] } : {}),
};
