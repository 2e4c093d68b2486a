// Records the JSON-RPC error objects a real subtensor runtime (spec 300 under
// chopsticks, see /work/shared/testnet) returns for refused extrinsics, so
// the Go tests can classify the exact bytes. Run with the testnet up:
//
//   NODE_PATH=$HOME/.cache/gotensor-testnet/node_modules \
//     node --experimental-default-type=module testdata/gen_pool_errors.mjs > testdata/chopsticks_pool_errors.json
//
// It only touches throwaway accounts (random keys): a bad signature from
// Alice, an unfunded signer, and a stale nonce on an account whose nonce is
// set with dev_setStorage. Nothing is included in a block.
import { createRequire } from 'node:module';
const require = createRequire(process.env.NODE_PATH + '/');
const { ApiPromise, WsProvider } = require('@polkadot/api');
const { Keyring } = require('@polkadot/keyring');
const { cryptoWaitReady, mnemonicGenerate } = require('@polkadot/util-crypto');

const WebSocket = require('ws');
const url = process.env.CHAIN_URL || 'ws://127.0.0.1:9944';

// rawCall sends one request over its own websocket and returns the frame
// exactly as the node sent it (over HTTP chopsticks drops the error code).
function rawCall(method, params) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.on('error', reject);
    ws.on('open', () => ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method, params })));
    ws.on('message', (data) => { ws.close(); resolve(JSON.parse(data.toString())); });
  });
}

await cryptoWaitReady();
const api = await ApiPromise.create({ provider: new WsProvider(url), noInitWarn: true });
const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
const alice = keyring.addFromUri('//Alice');
const dest = keyring.addFromUri('//Bob').address;
const out = { _source: 'chopsticks ' + (await api.rpc.system.version()).toString() + ', runtime spec ' +
  api.runtimeVersion.specVersion.toString() + ', recorded by testdata/gen_pool_errors.mjs', cases: {} };

// bad proof: a valid transfer signed by Alice with one signature byte flipped.
{
  const nonce = (await api.rpc.system.accountNextIndex(alice.address)).toNumber();
  const tx = api.tx.balances.transferKeepAlive(dest, 1_000_000_000n);
  await tx.signAsync(alice, { nonce, era: 0 });
  const u8 = tx.toU8a();
  // signature follows: compact len, version byte, MultiAddress (0x00 + 32), MultiSignature tag
  const lenBytes = u8[0] & 3 ? (u8[0] & 3) === 1 ? 2 : 4 : 1;
  const sigStart = lenBytes + 1 + 33 + 1;
  u8[sigStart + 10] ^= 0xff;
  out.cases.bad_proof = await rawCall('author_submitExtrinsic', ['0x' + Buffer.from(u8).toString('hex')]);
}

// payment: an account with no funds.
{
  const poor = keyring.addFromUri(mnemonicGenerate());
  const tx = api.tx.balances.transferKeepAlive(dest, 1n);
  await tx.signAsync(poor, { nonce: 0, era: 0 });
  out.cases.payment = await rawCall('author_submitExtrinsic', [tx.toHex()]);
}

// stale: a funded throwaway account whose nonce is 5, signing with nonce 0.
{
  const acct = keyring.addFromUri(mnemonicGenerate());
  await rawCall('dev_setStorage', [{ System: { Account: [[[acct.address], { nonce: 5, providers: 1, data: { free: 10_000_000_000_000n.toString() } }]] } }]);
  const tx = api.tx.balances.transferKeepAlive(dest, 1n);
  await tx.signAsync(acct, { nonce: 0, era: 0 });
  out.cases.stale = await rawCall('author_submitExtrinsic', [tx.toHex()]);
}

// undecodable extrinsic bytes.
out.cases.garbage = await rawCall('author_submitExtrinsic', ['0x00']);

console.log(JSON.stringify(out, null, 2));
await api.disconnect();
