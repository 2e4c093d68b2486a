package wallet

import (
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.TrimPrefix(s, "0x"))
	require.NoError(t, err)
	return b
}

func mustHex32(t testing.TB, s string) [32]byte {
	t.Helper()
	var a [32]byte
	b := mustHex(t, s)
	require.Len(t, b, 32)
	copy(a[:], b)
	return a
}

// Substrate's well-known development accounts. Addresses as published in
// many Substrate projects' dev-account tables; secret seeds as printed by
// `subkey inspect //Name` (listed e.g. in ChainSafe gossamer's keystore test
// helpers); Alice's public key is asserted in sp_core's own test
// derive_hard_known_pair_should_work.
var devAccounts = []struct {
	uri, seed, address, pub string
}{
	{"//Alice", "e5be9a5092b81bca64be81d212e7f2f9eba183bb7a90954f7b76361f6edb5c0a", "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY", "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"},
	{"//Bob", "398f0c28f98885e046333d4a41c19cee4c37368a9832c6502f6cfd182e2aef89", "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty", ""},
	{"//Charlie", "bc1ede780f784bb6991a585e4f6e61522c14e1cae6ad0895fb57b9a205a8f938", "5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y", ""},
	{"//Dave", "868020ae0687dda7d57565093a69090211449845a7e11453612800b663307246", "5DAAnrj7VHTznn2AWBemMuyBwZWs6FNFjdyVXUeYum3PTXFy", ""},
	{"//Eve", "786ad0e2df456fe43dd1f91ebca22e235bc162e0bb8d53c633e8c85b2af68b7a", "5HGjWAeFDfFCWPsjFQdVV2Msvz2XtMktvgocEZcCj68kUMaw", ""},
	{"//Ferdie", "42438b7883391c05512a938e36c2df0131e088b3756d6aa7a755fbff19d2f842", "5CiPPseXPECbkjWCa6MnjNokrgYjMqmKndv2rSnekmSK2DjL", ""},
}

func TestDevAccounts(t *testing.T) {
	for _, acct := range devAccounts {
		t.Run(acct.uri, func(t *testing.T) {
			kp, err := KeypairFromURI(acct.uri)
			require.NoError(t, err)
			require.Equal(t, acct.address, kp.SS58Address())
			seed, ok := kp.Seed()
			require.True(t, ok, "all-hard derivation keeps the seed")
			require.Equal(t, acct.seed, hex.EncodeToString(seed[:]))
			if acct.pub != "" {
				pub := kp.PublicKey()
				require.Equal(t, acct.pub, hex.EncodeToString(pub[:]))
			}

			// The same account from the explicit dev phrase and from its seed.
			viaPhrase, err := KeypairFromURI(DevPhrase + acct.uri)
			require.NoError(t, err)
			require.Equal(t, acct.address, viaPhrase.SS58Address())
			viaSeed, err := KeypairFromSeed(mustHex(t, acct.seed))
			require.NoError(t, err)
			require.Equal(t, acct.address, viaSeed.SS58Address())
			viaHexURI, err := KeypairFromURI("0x" + acct.seed)
			require.NoError(t, err)
			require.Equal(t, acct.address, viaHexURI.SS58Address())

			// Sign/verify round trip through the address.
			msg := []byte("gotensor " + acct.uri)
			sig, err := kp.Sign(msg)
			require.NoError(t, err)
			require.Len(t, sig, SignatureSize)
			require.True(t, Verify(acct.address, msg, sig))
			require.False(t, Verify(acct.address, append(msg, '!'), sig))
			require.False(t, Verify(devAccounts[(indexOf(acct.uri)+1)%len(devAccounts)].address, msg, sig))
		})
	}
}

func indexOf(uri string) int {
	for i, a := range devAccounts {
		if a.uri == uri {
			return i
		}
	}
	return -1
}

// Derivation vectors. Sources:
//   - sp_core sr25519 tests: DEV_PHRASE/Alice, seeded pairs;
//   - btwallet tests/test_keyfile.py (bittensor-wallet's own expectations);
//   - subtensor node tests: get_from_seed("WoOt") = "//WoOt";
//   - the //Name//stash dev accounts (endowed in Substrate dev chain specs;
//     cross-checked in several genesis files).
func TestKeypairFromURIVectors(t *testing.T) {
	const btwalletPhrase = "old leopard transfer rib spatial phone calm indicate online fire caution review"
	tests := []struct {
		name, uri, address, pub string
	}{
		{"sp_core soft /Alice", DevPhrase + "/Alice", "", "d6c71059dbbe9ad2b0ed3f289738b800836eb425544ce694825285b958ca755e"},
		{"sp_core soft /Alice no phrase", "/Alice", "", "d6c71059dbbe9ad2b0ed3f289738b800836eb425544ce694825285b958ca755e"},
		{"sp_core hard //Alice", DevPhrase + "//Alice", "", "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"},
		{"sp_core seed 9d61b1…", "0x9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", "", "44a996beb1eef7bdcab976ab6d2ca26104834164ecf28fb375600576fcc6eb0f"},
		{"sp_core seed 1234…", "0x" + hex.EncodeToString([]byte("12345678901234567890123456789012")), "", "741c08a06f41c596608f6774259bd9043304adfa5d3eea62760bd9be97634d63"},
		{"btwallet mnemonic", btwalletPhrase, "5HDvhV6WDCjCKyrXqGQSDYqQAzkzabNhctmiDYEqgBC66BsX", "e4359ad3e2716c539a1d663ebd0a51bdc5c98a12e663bb4c4402db47828c9446"},
		{"btwallet hard", btwalletPhrase + "//Alice", "5FEiH8iuDUw271xbqWTWuB6WrDjv5dnCeDX1CyHubAniXDNN", ""},
		{"btwallet soft", btwalletPhrase + "/Alice", "5GNXbA46ma5dg19GXdiKi5JH3mnkZ8Yea3bBtZAvj7t99P9i", ""},
		{"btwallet hard then soft", "//Bob/test", "5CJGwWiKXSE16WJaxBdPZhWqUYkotgenLUALv7ZvqQ4TXeqf", ""},
		{"btwallet soft then hard", "/Bob//test", "5Cwc8tShrshDJUp1P1M21dKUTcYQpV9GcfSa4hUBNmMdV3Cx", ""},
		{"btwallet junction > 32 bytes", "//PathNameLongerThan32BytesWhichShouldBeHashed", "5GR5pfZeNs1uQiSWVxZaQiZou3wdZiX894eqgvfNfHbEh7W2", ""},
		{"subtensor //WoOt", "//WoOt", "5Gj3QEiZaFJPFK1yN4Lkj6FLM4V7GEBCewVBVniuvZ75S2Fd", ""},
		{"Alice//stash", "//Alice//stash", "5GNJqTPyNqANBkUVMN1LPPrxXnFouWXoe2wNSmmEoLctxiZY", ""},
		{"Bob//stash", "//Bob//stash", "5HpG9w8EBLe5XCrbczpwq5TSXvedjrBGCwqxK1iQ7qUsSWFc", ""},
		{"Charlie//stash", "//Charlie//stash", "5Ck5SLSHYac6WFt5UZRSsdJjwmpSZq85fd5TRNAdZQVzEAPT", ""},
		{"Dave//stash", "//Dave//stash", "5HKPmK9GYtE1PSLsS1qiYU9xQ9Si1NcEhdeCq9sw5bqu4ns8", ""},
		{"Eve//stash", "//Eve//stash", "5FCfAonRZgTFrTd9HREEyeJjDpT397KMzizE6T3DvebLFE7n", ""},
		{"Ferdie//stash", "//Ferdie//stash", "5CRmqmsiNFExV6VbdmPJViVxrWmkaXXvBrSX8oqBT8R9vmWk", ""},
		{"subkey gist phrase", "favorite liar zebra assume hurt cage any damp inherit rescue delay panic", "5EXWNJuoProc7apm1JS8m9RTqV3vVwR9dCg6sQVpKnoHtJ68", "6ce96ae5c300096b09dbd4567b0574f6a1281ae0e5cfe4f6b0233d1821f6206b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kp, err := KeypairFromURI(tt.uri)
			require.NoError(t, err)
			if tt.address != "" {
				require.Equal(t, tt.address, kp.SS58Address())
			}
			if tt.pub != "" {
				pub := kp.PublicKey()
				require.Equal(t, tt.pub, hex.EncodeToString(pub[:]))
			}
		})
	}
}

func TestKeypairFromURIPasswordAndSeedTracking(t *testing.T) {
	// sp_core default_phrase_should_be_used: "//Alice///password" equals the dev
	// phrase with BIP39 password "password", then //Alice.
	withPw, err := KeypairFromURI("//Alice///password")
	require.NoError(t, err)
	mini, err := MiniSecretFromMnemonic(DevPhrase, "password")
	require.NoError(t, err)
	root, err := KeypairFromSeed(mini[:])
	require.NoError(t, err)
	manual, err := root.derive([]junction{newJunction("Alice", true)})
	require.NoError(t, err)
	require.Equal(t, manual.SS58Address(), withPw.SS58Address())
	require.NotEqual(t, "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY", withPw.SS58Address())

	// A hex seed ignores the password, as in sp_core.
	a, err := KeypairFromURI("0x" + devAccounts[0].seed + "///ignored")
	require.NoError(t, err)
	require.Equal(t, devAccounts[0].address, a.SS58Address())

	// Soft derivation loses the seed; a plain mnemonic keeps its phrase.
	soft, err := KeypairFromURI("//Alice/soft")
	require.NoError(t, err)
	_, ok := soft.Seed()
	require.False(t, ok)
	_, ok = soft.Mnemonic()
	require.False(t, ok)
	plain, err := KeypairFromURI(DevPhrase)
	require.NoError(t, err)
	phrase, ok := plain.Mnemonic()
	require.True(t, ok)
	require.Equal(t, DevPhrase, phrase)
	require.Equal(t, "5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV", plain.SS58Address(), "sp_core DEV_ADDRESS")
	// Soft derivation is deterministic (same SURI, same key file).
	soft2, err := KeypairFromURI("//Alice/soft")
	require.NoError(t, err)
	p1, _ := soft.PrivateKey()
	p2, _ := soft2.PrivateKey()
	require.Equal(t, p1, p2)
	// Numeric junctions are u64s: "//1" ≠ "//01"? No: both parse as 1.
	n1, err := KeypairFromURI("//1")
	require.NoError(t, err)
	n01, err := KeypairFromURI("//01")
	require.NoError(t, err)
	nplus, err := KeypairFromURI("//+1")
	require.NoError(t, err)
	require.Equal(t, n1.SS58Address(), n01.SS58Address())
	require.Equal(t, n1.SS58Address(), nplus.SS58Address())
	nstr, err := KeypairFromURI("//1a")
	require.NoError(t, err)
	require.NotEqual(t, n1.SS58Address(), nstr.SS58Address())
}

func TestKeypairFromURIErrors(t *testing.T) {
	tests := []struct {
		name string
		uri  string
		want error
	}{
		{"empty hard junction", "//", ErrInvalidSURI},
		{"junction then slash", "//Alice/", ErrInvalidSURI},
		{"bad character", "bottom-drive", ErrInvalidSURI},
		{"newline in password", "//Alice///pass\nword", ErrInvalidSURI},
		{"bad hex seed", "0xzz", ErrInvalidSeed},
		{"short hex seed", "0x1234", ErrInvalidSeed},
		{"unknown word", "bottom drive obey lake curtain smoke basket hold race lonely fit walkz", ErrMnemonicWord},
		{"bad checksum", "bottom drive obey lake curtain smoke basket hold race lonely fit fit", ErrMnemonicChecksum},
		{"word count", "bottom drive obey", ErrMnemonicWordCount},
		{"invalid utf8", "\xff", ErrInvalidSURI},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kp, err := KeypairFromURI(tt.uri)
			require.Nil(t, kp)
			require.ErrorIs(t, err, tt.want)
			require.NotContains(t, err.Error(), "bottom")
		})
	}
	var me *MnemonicError
	_, err := KeypairFromURI("bottom drive obey lake curtain smoke basket hold race lonely fit walkz")
	require.True(t, errors.As(err, &me))
	require.Equal(t, 11, me.Index)
}

func TestKeypairFromPrivateKey(t *testing.T) {
	// btwallet tests: create_from_private_key gives the public key of the
	// "old leopard …" mnemonic. The key's scalar half ends in 0x0a, i.e. it is
	// the canonical scalar (< 2^253), not ed25519's ×8 form (top byte ≥ 0x40).
	const priv = "1f1995bdf3a17b60626a26cfe6f564b337d46056b7a1281b64c649d592ccda0a9cffd34d9fb01cae1fba61aeed184c817442a2186d5172416729a4b54dd4b84e"
	kp, err := KeypairFromPrivateKey(mustHex(t, priv))
	require.NoError(t, err)
	pub := kp.PublicKey()
	require.Equal(t, "e4359ad3e2716c539a1d663ebd0a51bdc5c98a12e663bb4c4402db47828c9446", hex.EncodeToString(pub[:]))

	// And our mnemonic expansion yields exactly these 64 bytes, so key files we
	// write carry the same privateKey btwallet writes.
	fromPhrase, err := KeypairFromMnemonic("old leopard transfer rib spatial phone calm indicate online fire caution review")
	require.NoError(t, err)
	got, ok := fromPhrase.PrivateKey()
	require.True(t, ok)
	require.Equal(t, priv, hex.EncodeToString(got[:]))

	// The ed25519 form of the same key is rejected (non-canonical scalar).
	ed := mustHex(t, priv)
	carry := byte(0)
	for i := 0; i < 32; i++ { // multiply the little-endian scalar by 8
		v := uint16(ed[i])<<3 | uint16(carry)
		ed[i], carry = byte(v), byte(v>>8)
	}
	_, err = KeypairFromPrivateKey(ed)
	require.ErrorIs(t, err, ErrInvalidKey)

	_, err = KeypairFromPrivateKey(make([]byte, 63))
	require.ErrorIs(t, err, ErrInvalidKey)
	_, err = KeypairFromSeed(make([]byte, 31))
	require.ErrorIs(t, err, ErrInvalidSeed)
}

func TestVerifyKnownSignatures(t *testing.T) {
	// `echo "message" | subkey sign <phrase>` from an old subkey (joepetrowski's
	// gist): its last byte lacks schnorrkel's marker bit (0x80), so it is the
	// pre-0.8 format that sp_core's verify rejects, and so must we.
	const addr = "5EXWNJuoProc7apm1JS8m9RTqV3vVwR9dCg6sQVpKnoHtJ68"
	sig := mustHex(t, "50d830ac6ce90207584fcd46ada1db06d20db46370e440ae326e71c602d03641747031d66a9514b95a28462166336244bd401f25eb5e2e27b3f9dd5457b80d02")
	require.False(t, Verify(addr, []byte("message\n"), sig))

	// sp_core verify_known_old_message_should_work: a pre-1.0 signature without
	// the schnorrkel marker bit must not verify.
	oldPub := mustHex32(t, "b4bfa1f7a5166695eb75299fd1c4c03ea212871c342f2c5dfea0902b2c246918")
	oldSig := mustHex(t, "5a9755f069939f45d96aaf125cf5ce7ba1db998686f87f2fb3cbdea922078741a73891ba265f70c31436e18a9acd14d189d73c12317ab6c313285cd938453202")
	oldMsg := []byte("Verifying that I am the owner of 5G9hQLdsKQswNPgB499DeA5PkFBbgkLPJWkkS6FAM6xGQ8xD. Hash: 221455a3\n")
	require.False(t, VerifyPublicKey(oldPub, oldMsg, oldSig))

	// Malformed signatures and addresses are simply false.
	require.False(t, Verify(addr, []byte("message\n"), sig[:63]))
	require.False(t, Verify(addr, []byte("message\n"), nil))
	require.False(t, Verify("not-an-address", []byte("message\n"), sig))
}

func TestVerifyBytesWrapped(t *testing.T) {
	kp, err := KeypairFromURI("//Alice")
	require.NoError(t, err)
	msg := []byte("nonce.hotkey.axon.uuid.hash")
	wrapped := append(append([]byte("<Bytes>"), msg...), "</Bytes>"...)
	sig, err := kp.Sign(wrapped)
	require.NoError(t, err)
	require.True(t, Verify(kp.SS58Address(), msg, sig))
	require.True(t, kp.Verify(msg, sig))
	require.True(t, VerifyPublicKey(kp.PublicKey(), msg, sig))
	require.False(t, Verify(kp.SS58Address(), []byte("other"), sig))

	// Tampering with any byte of the signature fails.
	for i := 0; i < SignatureSize; i += 7 {
		bad := append([]byte(nil), sig...)
		bad[i] ^= 0x01
		require.False(t, Verify(kp.SS58Address(), msg, bad), "byte %d", i)
	}
}

func TestPublicOnlyKeypair(t *testing.T) {
	kp, err := KeypairFromSS58("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY")
	require.NoError(t, err)
	require.False(t, kp.HasPrivateKey())
	_, err = kp.Sign([]byte("x"))
	require.ErrorIs(t, err, ErrNoPrivateKey)
	_, ok := kp.PrivateKey()
	require.False(t, ok)

	_, err = NewPublicKey([32]byte{0xff, 0xff})
	require.ErrorIs(t, err, ErrInvalidKey)
}

func TestKeypairNeverPrintsSecrets(t *testing.T) {
	kp, err := KeypairFromMnemonic(DevPhrase)
	require.NoError(t, err)
	priv, _ := kp.PrivateKey()
	seed, _ := kp.Seed()
	secrets := []string{
		"bottom", hex.EncodeToString(priv[:8]), hex.EncodeToString(seed[:8]),
		fmt.Sprintf("%v", priv[:4]), fmt.Sprintf("%x", seed[:4]),
	}
	var logBuf strings.Builder
	slog.New(slog.NewTextHandler(&logBuf, nil)).Info("key", "kp", kp, "value", *kp)
	outputs := []string{
		fmt.Sprint(kp), fmt.Sprintf("%v", kp), fmt.Sprintf("%+v", kp), fmt.Sprintf("%#v", kp),
		fmt.Sprintf("%s", kp), fmt.Sprintf("%x", kp), fmt.Sprintf("%v", *kp), fmt.Sprintf("%+v", *kp),
		fmt.Sprintf("%#v", *kp), fmt.Sprintf("%d", *kp), fmt.Sprintf("%v", []*Keypair{kp}),
		fmt.Sprintf("%+v", struct{ K *Keypair }{kp}), fmt.Sprintf("%+v", struct{ K Keypair }{*kp}),
		logBuf.String(),
	}
	for _, out := range outputs {
		require.Contains(t, out, kp.SS58Address())
		for _, s := range secrets {
			require.NotContains(t, out, s)
		}
	}
}

func TestKeypairZero(t *testing.T) {
	kp, err := KeypairFromURI("//Alice")
	require.NoError(t, err)
	kp.Zero()
	require.False(t, kp.HasPrivateKey())
	_, err = kp.Sign([]byte("x"))
	require.ErrorIs(t, err, ErrNoPrivateKey)
	require.Equal(t, devAccounts[0].address, kp.SS58Address())
}

func TestConcurrentSignVerify(t *testing.T) {
	kp, err := KeypairFromURI("//Bob")
	require.NoError(t, err)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			msg := []byte{byte(g)}
			for i := 0; i < 10; i++ {
				sig, err := kp.Sign(msg)
				if err != nil {
					errs <- err
					return
				}
				if !Verify(kp.SS58Address(), msg, sig) || !VerifyPublicKey(kp.PublicKey(), msg, sig) {
					errs <- fmt.Errorf("goroutine %d: verify failed", g)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}
