package evm

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/stretchr/testify/require"

	"github.com/gotensor/gotensor/wallet"
)

func TestKnownKeys(t *testing.T) {
	tests := []struct{ priv, addr string }{
		// web3.js documentation's accounts.privateKeyToAccount example.
		{"0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318", "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23"},
		// Private key 1.
		{"0000000000000000000000000000000000000000000000000000000000000001", "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf"},
	}
	for _, tt := range tests {
		k, err := KeyFromHex(tt.priv)
		require.NoError(t, err)
		require.Equal(t, tt.addr, k.Address().Hex())
		require.Equal(t, tt.addr, k.String())
	}
}

func TestMirrorAccountVectors(t *testing.T) {
	// Independent Python check of the raw hash for the first vector:
	//   hashlib.blake2b(b"evm:" + bytes.fromhex("10E0271ec47d55511a047516f2a7301801d55eaB"), digest_size=32)
	id := MirrorAccount(common.HexToAddress("0x10E0271ec47d55511a047516f2a7301801d55eaB"))
	require.Equal(t, "b7acb895f1b2bd9820c2e0ad90617fb5a1783a911dae922216a8e83d31607cbc", hex.EncodeToString(id[:]))

	// polkadot-js evmToAddress (testdata/gen_evm.mjs); the first pair is also
	// the published example of the address_converter package.
	raw, err := os.ReadFile("testdata/evm_mirror.json")
	require.NoError(t, err)
	var doc struct {
		Mirrors []struct{ H160, SS58, SS58Prefix0 string }
	}
	require.NoError(t, json.Unmarshal(raw, &doc))
	require.Len(t, doc.Mirrors, 4)
	for _, m := range doc.Mirrors {
		a, err := ParseAddress(m.H160)
		require.NoError(t, err)
		require.Equal(t, m.SS58, MirrorSS58(a, 42))
		require.Equal(t, m.SS58Prefix0, MirrorSS58(a, 0))
	}

	k, err := KeyFromHex("0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")
	require.NoError(t, err)
	require.Equal(t, "5HSxAoDMXn8GL6huXtqHFSyBRnmvEwMHzituP2i7AdDvoJJ2", k.MirrorSS58())
	acct := k.MirrorAccount()
	require.Equal(t, k.MirrorSS58(), wallet.SS58Encode(acct[:], 42))
}

func TestNewSaveLoad(t *testing.T) {
	k, err := NewKey()
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "evm", "key")
	require.NoError(t, k.Save(path, false))
	st, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	require.ErrorIs(t, k.Save(path, false), wallet.ErrKeyExists)

	back, err := LoadKey(path)
	require.NoError(t, err)
	require.Equal(t, k.Address(), back.Address())

	// go-ethereum reads what we write, and we read what it writes.
	gk, err := crypto.LoadECDSA(path)
	require.NoError(t, err)
	require.Equal(t, k.Address(), crypto.PubkeyToAddress(gk.PublicKey))
	other := filepath.Join(t.TempDir(), "geth")
	require.NoError(t, crypto.SaveECDSA(other, gk))
	back2, err := LoadKey(other)
	require.NoError(t, err)
	require.Equal(t, k.Address(), back2.Address())

	_, err = LoadKey(filepath.Join(t.TempDir(), "missing"))
	require.ErrorIs(t, err, wallet.ErrKeyNotFound)
}

func TestErrorsAndPrinting(t *testing.T) {
	for _, bad := range []string{"", "zz", "00", strings.Repeat("ff", 32)} {
		_, err := KeyFromHex(bad)
		require.ErrorIs(t, err, ErrInvalidKey, bad)
	}
	for _, bad := range []string{"", "0x1234", "10E0271ec47d55511a047516f2a7301801d55eaB00",
		"0x10E0271ec47d55511a047516f2a7301801d55eAB", "0xzz E0271ec47d55511a047516f2a7301801d55ea"} {
		_, err := ParseAddress(bad)
		require.ErrorIs(t, err, ErrInvalidAddress, bad)
	}
	_, err := ParseAddress("0x10e0271ec47d55511a047516f2a7301801d55eab")
	require.NoError(t, err)

	k, err := KeyFromHex("0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")
	require.NoError(t, err)
	for _, out := range []string{fmt.Sprint(k), fmt.Sprintf("%v %+v %#v %x %s", k, k, k, k, k)} {
		require.NotContains(t, out, "4c0883a6")
		require.Contains(t, out, "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23")
	}
}

func ExampleMirrorSS58() {
	h160, err := ParseAddress("0x10E0271ec47d55511a047516f2a7301801d55eaB")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(MirrorSS58(h160, 42))
	// Output: 5GDXvqASMPKNbnmSEt69CkbL6YwiN3sLbVqdPFW4cvC43zSH
}
