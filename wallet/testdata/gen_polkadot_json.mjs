// Generates wallet/testdata/polkadotjs_keystore.json: sr25519 account backups
// in the polkadot.js JSON format that `btcli wallet regen_coldkey --json`
// imports. Account 0 is a real pair.toJson export (@polkadot/keyring 14.0.3,
// default scrypt N = 2^17); account 1 is the same format built from
// @polkadot/util-crypto's own primitives with a cheap N = 2^10 so tests can
// afford a wrong-passphrase check; account 2 is an unencrypted export.
import { cryptoWaitReady, scryptEncode, scryptToU8a, naclEncrypt, jsonEncryptFormat } from '@polkadot/util-crypto';
import { Keyring } from '@polkadot/keyring';
import { u8aConcat } from '@polkadot/util';
await cryptoWaitReady();
const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
const out = [];

const alice = keyring.addFromUri('//Alice', { name: 'alice' });
out.push({ address: alice.address, passphrase: 'hunter2-json', json: alice.toJson('hunter2-json') });

const dev = keyring.addFromUri('bottom drive obey lake curtain smoke basket hold race lonely fit walk', { name: 'dev' });
const plain = dev.toJson(); // unencrypted: encoded = base64(pkcs8)
const pkcs8 = Buffer.from(plain.encoded, 'base64');
const { params, password, salt } = scryptEncode('another passphrase', undefined, { N: 1 << 10, p: 1, r: 8 });
const { encrypted, nonce } = naclEncrypt(pkcs8, password.subarray(0, 32));
const cheap = { ...jsonEncryptFormat(u8aConcat(scryptToU8a(salt, params), nonce, encrypted), ['pkcs8', 'sr25519'], true),
  address: dev.address, meta: { name: 'dev' } };
out.push({ address: dev.address, passphrase: 'another passphrase', json: cheap });

const bob = keyring.addFromUri('//Bob', { name: 'bob' });
out.push({ address: bob.address, passphrase: '', json: bob.toJson() });

console.log(JSON.stringify({ _source: 'gen_polkadot_json.mjs with @polkadot/keyring and @polkadot/util-crypto 14.0.3, node ' + process.version, accounts: out }, null, 1));
