// Generates wallet/testdata/polkadotjs_keystore.json: accounts exported by
// @polkadot/keyring 14.0.3 (pair.toJson), the "JSON backup" that
// `btcli wallet regen_coldkey --json` imports. Run with node 20.
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { Keyring } from '@polkadot/keyring';
await cryptoWaitReady();
const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
const out = [];
for (const [uri, passphrase] of [['//Alice', 'hunter2-json'], ['bottom drive obey lake curtain smoke basket hold race lonely fit walk', 'another passphrase'], ['//Bob', undefined]]) {
  const pair = keyring.addFromUri(uri, { name: uri.slice(0, 8) });
  out.push({ address: pair.address, passphrase: passphrase ?? '', json: pair.toJson(passphrase) });
}
console.log(JSON.stringify({ _source: 'gen_polkadot_json.mjs with @polkadot/keyring 14.0.3, node ' + process.version, accounts: out }, null, 1));
