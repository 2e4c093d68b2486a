package wallet

import (
	"testing"

	schnorrkel "github.com/ChainSafe/go-schnorrkel"
)

// loop runs op b.N times (via b.Loop) and also reports the process CPU time
// per op ("cpu-ns/op"), which stays meaningful when the machine is
// overloaded.
func loop(b *testing.B, op func()) {
	start := processCPU()
	n := 0
	for b.Loop() {
		op()
		n++
	}
	if cpu := processCPU() - start; cpu > 0 && n > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(n), "cpu-ns/op")
	}
}

func benchKeypair(b *testing.B) *Keypair {
	b.Helper()
	kp, err := KeypairFromURI("//Alice")
	if err != nil {
		b.Fatal(err)
	}
	return kp
}

// A typical axon signature message: nonce.dendrite.axon.uuid.bodyhash.
var benchMsg = []byte("1764115200000000000.5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty." +
	"5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY.2f1ad3c0-cb0d-11ee-8b2e-0242ac120002." +
	"a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a")

// BenchmarkSign compares Keypair.Sign with go-schnorrkel's SecretKey.Sign
// (the baseline, which recomputes the public key on every call).
func BenchmarkSign(b *testing.B) {
	kp := benchKeypair(b)
	b.Run("keypair", func(b *testing.B) {
		b.ReportAllocs()
		loop(b, func() {
			if _, err := kp.Sign(benchMsg); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("go-schnorrkel", func(b *testing.B) {
		b.ReportAllocs()
		loop(b, func() {
			if _, err := kp.sec.sk.Sign(schnorrkel.NewSigningContext(signingContext, benchMsg)); err != nil {
				b.Fatal(err)
			}
		})
	})
}

// BenchmarkVerify compares the verification paths an axon can take. "uncached"
// is the baseline: decode the SS58 address and decompress the point on every
// call, as a naive implementation would.
func BenchmarkVerify(b *testing.B) {
	kp := benchKeypair(b)
	sig, err := kp.Sign(benchMsg)
	if err != nil {
		b.Fatal(err)
	}
	addr := kp.SS58Address()
	b.Run("ss58-uncached", func(b *testing.B) {
		b.ReportAllocs()
		loop(b, func() {
			pk, err := PublicKeyFromSS58(addr)
			if err != nil || !pk.Verify(benchMsg, sig) {
				b.Fatal("verify failed")
			}
		})
	})
	b.Run("ss58-cached", func(b *testing.B) {
		b.ReportAllocs()
		loop(b, func() {
			if !Verify(addr, benchMsg, sig) {
				b.Fatal("verify failed")
			}
		})
	})
	b.Run("raw-pubkey-cached", func(b *testing.B) {
		pub := kp.PublicKey()
		b.ReportAllocs()
		loop(b, func() {
			if !VerifyPublicKey(pub, benchMsg, sig) {
				b.Fatal("verify failed")
			}
		})
	})
	b.Run("pre-parsed", func(b *testing.B) {
		pk := kp.Public()
		b.ReportAllocs()
		loop(b, func() {
			if !pk.Verify(benchMsg, sig) {
				b.Fatal("verify failed")
			}
		})
	})
	b.Run("bytes-wrapped", func(b *testing.B) {
		// Worst case: the plain form fails and the <Bytes> form is tried.
		wrapped := append(append([]byte("<Bytes>"), benchMsg...), "</Bytes>"...)
		wsig, _ := kp.Sign(wrapped)
		pk := kp.Public()
		b.ReportAllocs()
		loop(b, func() {
			if !pk.Verify(benchMsg, wsig) {
				b.Fatal("verify failed")
			}
		})
	})
}

func BenchmarkSS58Decode(b *testing.B) {
	loop(b, func() {
		if _, _, err := SS58Decode("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"); err != nil {
			b.Fatal(err)
		}
	})
}

func BenchmarkKeypairFromMnemonic(b *testing.B) {
	loop(b, func() {
		if _, err := KeypairFromMnemonic(DevPhrase); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkDecryptKeyfile: "argon2" is what unlocking a key costs the first
// time (Argon2i, 512 MiB, 8 passes: seconds per op); "cached" is every later
// unlock with the same password.
func BenchmarkDecryptKeyfile(b *testing.B) {
	var nonce [naclNonceSize]byte
	plain := EncodeKeyfileJSON(benchKeypair(b))
	data := encryptKeyfileWithNonce(plain, testPassword, nonce)
	b.Run("argon2", func(b *testing.B) {
		loop(b, func() {
			ClearKeyCache()
			if _, err := DecryptKeyfile(data, testPassword); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("cached", func(b *testing.B) {
		b.ReportAllocs()
		loop(b, func() {
			if _, err := DecryptKeyfile(data, testPassword); err != nil {
				b.Fatal(err)
			}
		})
	})
}
