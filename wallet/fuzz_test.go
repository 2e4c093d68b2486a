package wallet

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
)

func FuzzSS58Decode(f *testing.F) {
	for _, s := range []string{
		"5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY",
		"16ADqpMa4yzfmWs3nuTSMhfZ2ckeGtvqhPWCNqECEGDcGgU2",
		"F382dFg2DpXsEeCn1FBf6nTz5LAJcEL5aWrG4mmob1ndPqd",
		SS58Encode(make([]byte, 32), 1284),
		SS58Encode([]byte{1, 2, 3, 4}, 42),
		"", "1", "11111111111111111111111111111111111111111111111", "0OIl", "5Grwva",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, addr string) {
		pub, prefix, err := SS58Decode(addr)
		if err != nil {
			if !errors.Is(err, ErrSS58Base58) && !errors.Is(err, ErrSS58Length) && !errors.Is(err, ErrSS58Checksum) &&
				!errors.Is(err, ErrSS58Prefix) && !errors.Is(err, ErrSS58ReservedPrefix) {
				t.Fatalf("untyped error: %v", err)
			}
			return
		}
		again, prefix2, err := SS58Decode(SS58Encode(pub, prefix))
		if err != nil || prefix2 != prefix || !bytes.Equal(again, pub) {
			t.Fatalf("re-encoding %q does not round-trip: %v", addr, err)
		}
	})
}

func FuzzKeypairFromURI(f *testing.F) {
	for _, s := range []string{
		"//Alice", "//Alice//stash", "/Alice", "//Alice///password", "//0", "//+7", "//αβγ",
		DevPhrase, DevPhrase + "//hard/soft///pw",
		"0xe5be9a5092b81bca64be81d212e7f2f9eba183bb7a90954f7b76361f6edb5c0a//x",
		"0x", "0xzz", "//", "///", "////", "a//", "bottom-drive", "\xff", "abandon\nabandon",
		strings.Repeat("//a", 100),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, suri string) {
		kp, err := KeypairFromURI(suri)
		if err != nil {
			if kp != nil {
				t.Fatal("keypair and error")
			}
			if !errors.Is(err, ErrInvalidSURI) && !errors.Is(err, ErrInvalidSeed) && !errors.Is(err, ErrMnemonicWord) &&
				!errors.Is(err, ErrMnemonicWordCount) && !errors.Is(err, ErrMnemonicChecksum) {
				t.Fatalf("untyped error: %v", err)
			}
			if len(suri) >= 8 && strings.Contains(err.Error(), suri) {
				t.Fatal("error quotes the secret URI")
			}
			return
		}
		if !kp.HasPrivateKey() {
			t.Fatal("derived keypair cannot sign")
		}
		if !IsValidSS58Address(kp.SS58Address()) {
			t.Fatal("bad address")
		}
	})
}

func FuzzDecodeKeyfileJSON(f *testing.F) {
	alice, _ := KeypairFromURI("//Alice")
	dev, _ := KeypairFromMnemonic(DevPhrase)
	pub, _ := KeypairFromSS58(alice.SS58Address())
	for _, s := range [][]byte{
		EncodeKeyfileJSON(alice), EncodeKeyfileJSON(dev), EncodeKeyfileJSON(pub),
		[]byte(`{"secretSeed": null, "ss58Address": "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"}`),
		[]byte(`{"privateKey": "0x0x00"}`), []byte(`{"secretSeed": 1}`), []byte(`[]`), []byte(`null`),
		[]byte("gAAAAA"), []byte("$NACL"), {},
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		kp, err := DecodeKeyfileJSON(data)
		if err != nil {
			if !errors.Is(err, ErrKeyfileFormat) && !errors.Is(err, ErrLegacyKeyfile) {
				t.Fatalf("untyped error: %v", err)
			}
			return
		}
		back, err := DecodeKeyfileJSON(EncodeKeyfileJSON(kp))
		if err != nil || back.SS58Address() != kp.SS58Address() || back.HasPrivateKey() != kp.HasPrivateKey() {
			t.Fatalf("re-encoding does not round-trip: %v", err)
		}
	})
}

// FuzzDecryptKeyfile uses testPassword so the Argon2 key comes from the
// cache after the first call (one derivation per fuzzing process).
func FuzzDecryptKeyfile(f *testing.F) {
	var nonce [naclNonceSize]byte
	good := encryptKeyfileWithNonce([]byte(`{"ss58Address":"5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"}`), testPassword, nonce)
	for _, s := range [][]byte{
		good, good[:len(good)-1], good[:naclOverhead], []byte("$NACL"), []byte("$ANSIBLE_VAULT;1.1"),
		[]byte("gAAAAAB"), []byte("{}"), {},
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		plain, err := DecryptKeyfile(data, testPassword)
		if err != nil {
			if !errors.Is(err, ErrWrongPassword) && !errors.Is(err, ErrKeyfileTruncated) &&
				!errors.Is(err, ErrLegacyKeyfile) && !errors.Is(err, ErrNotEncrypted) {
				t.Fatalf("untyped error: %v", err)
			}
			return
		}
		_, _ = DecodeKeyfileJSON(plain) // must not panic either
	})
}

func FuzzKeypairFromPolkadotJSON(f *testing.F) {
	raw, err := os.ReadFile("testdata/polkadotjs_keystore.json")
	if err != nil {
		f.Fatal(err)
	}
	var doc struct {
		Accounts []struct{ JSON json.RawMessage }
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(doc.Accounts[2].JSON)) // unencrypted: fuzzing stays fast
	f.Add([]byte(`{"encoded":"","encoding":{"content":["pkcs8","sr25519"],"type":["none"],"version":"3"}}`))
	f.Add([]byte(`{"encoded":"AAAA","encoding":{"content":["sr25519"],"type":["xsalsa20-poly1305"],"version":"3"}}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		kp, err := KeypairFromPolkadotJSON(data, "")
		if err != nil {
			if kp != nil || (!errors.Is(err, ErrKeyfileFormat) && !errors.Is(err, ErrWrongPassword) && !errors.Is(err, ErrInvalidKey)) {
				t.Fatalf("untyped error: %v", err)
			}
			return
		}
		if !kp.HasPrivateKey() {
			t.Fatal("imported keypair cannot sign")
		}
	})
}
