// Generates wallet/evm/testdata/evm_mirror.json with @polkadot/util-crypto
// 14.0.3: evmToAddress(h160, 42) = SS58(blake2b-256("evm:" ‖ h160)), the
// account subtensor's HashedAddressMapping assigns to an H160.
import { cryptoWaitReady, evmToAddress } from '@polkadot/util-crypto';
await cryptoWaitReady();
const h160s = ['0x10E0271ec47d55511a047516f2a7301801d55eaB', '0x2c7536E3605D9C16a7a3D7b1898e529396a65c23',
  '0x0000000000000000000000000000000000000000', '0xffffffffffffffffffffffffffffffffffffffff'];
const mirrors = h160s.map((h160) => ({ h160, ss58: evmToAddress(h160, 42), ss58Prefix0: evmToAddress(h160, 0) }));
console.log(JSON.stringify({ _source: 'gen_evm.mjs with @polkadot/util-crypto 14.0.3, node ' + process.version, mirrors }, null, 1));
