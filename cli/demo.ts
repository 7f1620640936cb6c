/**
 * `npm run demo`: acmeflow's main job against a local CA that behaves like the operator manual's
 * (Pebble requiring External Account Binding), on a fresh machine. Installs the Debian packages it
 * needs when they are missing and it runs as root, starts the CA and its DNS, registers with EAB,
 * issues a two-name RSA certificate over dns-01, revokes it, and stops what it started.
 *
 * This first cut drives the ACME layer directly; the certbot-style verbs replace it as they land.
 */
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAcmeContext, generateAccountKey, newAccount, revokeCertificate } from '../shared/acme/index.js';
import { parseCertificate, pemToDer } from '../shared/crypto/index.js';
import { issueWithAcmeLayer, type TxtPublisher } from '../test/support/acme-flow.js';
import { startPebble } from '../test/support/pebble.js';

function ensurePackages(): void {
  const missing = ['/usr/bin/pebble', '/usr/bin/pebble-challtestsrv'].filter((p) => !existsSync(p));
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    console.error(`The demo needs Debian's "pebble" package (missing: ${missing.join(', ')}). Run: sudo apt-get install -y pebble`);
    process.exit(2);
  }
  console.log('Installing the local CA (Debian package "pebble")...');
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', 'pebble'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

ensurePackages();
console.log('Starting a local ACME CA (Pebble, External Account Binding required) and its DNS...');
const pebble = await startPebble();
try {
  const ctx = createAcmeContext({ directoryUrl: pebble.directoryUrl, fetch: pebble.fetch });
  const key = await generateAccountKey();
  const account = await newAccount(ctx, key, {
    contact: ['mail@example.jp'],
    termsOfServiceAgreed: true,
    externalAccountBinding: pebble.eab,
  });
  console.log(`Account registered. (${account.url}, EAB key id ${pebble.eab.kid})`);

  const dns: TxtPublisher = {
    publish: async (name, values) => {
      for (const v of values) await pebble.challtestsrv!.addTxt(name, v);
      console.log(`  published TXT ${name} (${values.length} value${values.length > 1 ? 's' : ''})`);
    },
    unpublish: async (name) => {
      await pebble.challtestsrv!.clearTxt(name);
      console.log(`  removed TXT ${name}`);
    },
  };
  const domains = ['example.com', 'www.example.com'];
  console.log(`Requesting a certificate for ${domains.join(', ')} (RSA 2048, dns-01)...`);
  const issued = await issueWithAcmeLayer(ctx, { url: account.url, key }, domains, dns, { keyType: 'rsa-2048' });
  const dir = await mkdtemp(join(tmpdir(), 'acmeflow-demo-'));
  const fullchain = join(dir, 'fullchain.pem');
  const privkey = join(dir, 'privkey.pem');
  await writeFile(fullchain, issued.certificate.selected.fullchainPem);
  await writeFile(privkey, issued.privateKeyPem, { mode: 0o600 });
  const info = parseCertificate(issued.certificate.selected.certificatePem);
  console.log('Successfully received certificate.');
  console.log(`Certificate is saved at: ${fullchain}`);
  console.log(`Key is saved at:         ${privkey}`);
  console.log(`This certificate expires on ${info.notAfter.slice(0, 10)}; names: ${info.domains.join(', ')}; serial ${info.serialHex}.`);

  await revokeCertificate(ctx, { account: { url: account.url, key } }, pemToDer(issued.certificate.selected.certificatePem), 'superseded');
  const status = await pebble.certStatusBySerial(info.serialHex);
  console.log(`Congratulations! You have successfully revoked the certificate (the CA now says: ${status.status}).`);
} finally {
  await pebble.stop();
  console.log('Stopped the local CA.');
}
