// Generates extrinsic_vectors.json: known answers for the Go client's v4
// extrinsic encoding, made by an independent implementation (@polkadot/api
// 16.x: @polkadot/types and @polkadot/keyring) from the same spec-343 V15
// metadata the Go tests use.
//
//   mkdir /tmp/polkadot && cd /tmp/polkadot && npm install @polkadot/api@16
//   NODE_PATH=/tmp/polkadot/node_modules node gen_extrinsic_vectors.mjs > extrinsic_vectors.json
//
// sr25519 signatures are randomized, so the file records the signature
// polkadot produced; the Go test rebuilds the extrinsic around it and
// checks every byte, and verifies the signature over its own payload.
import { createRequire } from 'module';
import { readFileSync } from 'fs';
import { fileURLToPath } from 'url';
import { dirname, join } from 'path';

const require = createRequire(process.env.NODE_PATH ? join(process.env.NODE_PATH, 'x.js') : import.meta.url);
const { TypeRegistry, Metadata } = require('@polkadot/types');
const { expandMetadata } = require('@polkadot/types/metadata');
const { Keyring } = require('@polkadot/keyring');
const { cryptoWaitReady } = require('@polkadot/util-crypto');
const { hexToU8a, u8aToHex } = require('@polkadot/util');

const here = dirname(fileURLToPath(import.meta.url));
await cryptoWaitReady();
const registry = new TypeRegistry();
const opaque = registry.createType('Option<OpaqueMetadata>', hexToU8a(readFileSync(join(here, 'spec343_Metadata_metadata_at_version_15.hex'), 'utf8').trim()));
const metadata = new Metadata(registry, opaque.unwrap().toU8a(true));
registry.setMetadata(metadata);
const api = expandMetadata(registry, metadata);

const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
const alice = keyring.addFromUri('//Alice');
const bob = keyring.addFromUri('//Bob');

const genesis = '0x' + '45'.repeat(32);
const blockHash = '0x' + 'ab'.repeat(32);
const cases = [];
function build(name, method, nonce, current, period, tip) {
  const era = period === 0 ? registry.createType('ExtrinsicEra', new Uint8Array([0]))
    : registry.createType('ExtrinsicEra', { current, period });
  const value = {
    method: method.toHex(), era, nonce, tip, specVersion: 343, transactionVersion: 1,
    genesisHash: genesis, blockHash: period === 0 ? genesis : blockHash, mode: 0, version: 4,
    signedExtensions: registry.signedExtensions,
  };
  const payload = registry.createType('ExtrinsicPayload', value, { version: 4 });
  const signingBytes = payload.toU8a({ method: true });
  const { signature } = payload.sign(alice);
  const ext = registry.createType('Extrinsic', method, { version: 4 });
  ext.addSignature(alice.address, signature, value);
  cases.push({
    name, nonce, era_current: current, era_period: period, tip,
    call: method.toHex(), signing_payload: u8aToHex(signingBytes), signature,
    extrinsic: ext.toHex(), hash: ext.hash.toHex(),
  });
}
build('transfer_keep_alive', api.tx.balances.transferKeepAlive({ Id: bob.address }, 1_000_000_000n), 5, 1000, 128, 0);
build('transfer_allow_death_tip_immortal', api.tx.balances.transferAllowDeath({ Id: bob.address }, 123456789n), 300, 0, 0, 1000);
build('set_weights_long', api.tx.subtensorModule.setWeights(7, Array.from({ length: 100 }, (_, i) => i), Array.from({ length: 100 }, (_, i) => i * 600), 42n), 17, 6852690, 64, 0);
console.log(JSON.stringify({
  _generated_by: '@polkadot/api ' + require('@polkadot/api/packageInfo').packageInfo.version + ' (gen_extrinsic_vectors.mjs)',
  signer: u8aToHex(alice.publicKey), bob: u8aToHex(bob.publicKey), genesis, block_hash: blockHash,
  signed_extensions: registry.signedExtensions, cases,
}, null, 1));
