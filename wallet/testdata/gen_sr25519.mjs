// Generates wallet/testdata/sr25519_polkadotjs.json with @polkadot/util-crypto
// 14.0.3 (schnorrkel compiled to wasm), an implementation independent of the
// Go code under test. Run: npm install @polkadot/util-crypto@14.0.3
// @polkadot/keyring@14.0.3 @polkadot/util@14.0.3 && node gen_sr25519.mjs
import { cryptoWaitReady, sr25519PairFromSeed, sr25519Sign, sr25519Verify,
  mnemonicToMiniSecret, encodeAddress, decodeAddress } from '@polkadot/util-crypto';
import { Keyring } from '@polkadot/keyring';
import { u8aToHex, stringToU8a, hexToU8a } from '@polkadot/util';

await cryptoWaitReady();
const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
const uris = ['//Alice', '//Bob', '//Alice//stash', '//Alice/soft', '//Alice/0/1//2',
  // Numeric junctions agree with sp_core only below 2^64 and without a '+'
  // (sp_core parses u64, polkadot-js any decimal as a 256-bit LE number).
  '//0', 'bottom drive obey lake curtain smoke basket hold race lonely fit walk/18446744073709551615',
  'bottom drive obey lake curtain smoke basket hold race lonely fit walk///secret',
  'legal winner thank year wave sausage worth useful legal winner thank yellow//x/y///pw',
  '0x9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60//hard/soft',
  '//αβγ', '//a very long junction name that is more than thirty two bytes'];
const derivations = uris.map((uri) => {
  const pair = keyring.addFromUri(uri);
  return { uri, address: pair.address, publicKey: u8aToHex(pair.publicKey) };
});
const seeds = ['0xe5be9a5092b81bca64be81d212e7f2f9eba183bb7a90954f7b76361f6edb5c0a',
  '0x0000000000000000000000000000000000000000000000000000000000000000'];
const expansions = seeds.map((seed) => {
  const p = sr25519PairFromSeed(hexToU8a(seed));
  // polkadot-js returns the secret key in schnorrkel's ed25519 form
  // (scalar × 8 ‖ nonce); btwallet/sp_core store the plain scalar ‖ nonce.
  return { seed, publicKey: u8aToHex(p.publicKey), secretKeyEd25519Form: u8aToHex(p.secretKey) };
});
const alice = sr25519PairFromSeed(hexToU8a(seeds[0]));
const messages = ['', 'hello', '0x1234', 'a'.repeat(100)];
const signatures = messages.map((m) => {
  const msg = stringToU8a(m);
  return { signer: encodeAddress(alice.publicKey, 42), message: u8aToHex(msg), signature: u8aToHex(sr25519Sign(msg, alice)) };
});
const phrases = [['bottom drive obey lake curtain smoke basket hold race lonely fit walk', ''],
  ['old leopard transfer rib spatial phone calm indicate online fire caution review', ''],
  ['legal winner thank year wave sausage worth useful legal winner thank yellow', 'Substrate']];
const mnemonics = phrases.map(([phrase, password]) => ({ phrase, password, miniSecret: u8aToHex(mnemonicToMiniSecret(phrase, password)) }));

// Signatures made once by the Go code (go_signatures.json, written by a
// throwaway Go test) and checked here by schnorrkel-wasm.
let goChecks = [];
try {
  const { readFileSync } = await import('node:fs');
  goChecks = JSON.parse(readFileSync('go_signatures.json', 'utf8')).map((c) => ({
    signer: c.Signer, message: c.Message, signature: c.Signature,
    verifiedByPolkadotJs: sr25519Verify(hexToU8a(c.Message), hexToU8a(c.Signature), decodeAddress(c.Signer)),
  }));
} catch (e) { if (e.code !== "ENOENT") throw e; }
console.log(JSON.stringify({ _source: 'gen_sr25519.mjs with @polkadot/util-crypto 14.0.3 / @polkadot/keyring 14.0.3, node ' + process.version,
  derivations, expansions, signatures, mnemonics, goSignaturesCheckedByPolkadotJs: goChecks }, null, 1));
