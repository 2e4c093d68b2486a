package wallet_test

import (
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/gotensor/gotensor/wallet"
)

func ExampleKeypairFromURI() {
	alice, err := wallet.KeypairFromURI("//Alice")
	if err != nil {
		log.Fatal(err)
	}
	stash, err := wallet.KeypairFromURI("//Alice//stash")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(alice) // a Keypair prints as its address, never its secret
	fmt.Println(stash.SS58Address())
	// Output:
	// 5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY
	// 5GNJqTPyNqANBkUVMN1LPPrxXnFouWXoe2wNSmmEoLctxiZY
}

func ExampleKeypair_Sign() {
	hotkey, err := wallet.KeypairFromURI("//Bob")
	if err != nil {
		log.Fatal(err)
	}
	msg := []byte("1700000000000000000.5FHneW46….uuid.bodyhash")
	sig, err := hotkey.Sign(msg)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(sig), wallet.Verify(hotkey.SS58Address(), msg, sig))

	// A server verifying many requests keeps the parsed key.
	pub, err := wallet.PublicKeyFromSS58(hotkey.SS58Address())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(pub.Verify(msg, sig), pub.Verify([]byte("tampered"), sig))
	// Output:
	// 64 true
	// true false
}

func ExampleOpen() {
	dir, err := os.MkdirTemp("", "wallets")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	// Put //Alice in place as a hotkey, then open the wallet as a miner would.
	setup := wallet.Open(dir, "miner", "default")
	if _, err := setup.RegenerateHotkey(wallet.FromURI("//Alice")); err != nil {
		log.Fatal(err)
	}
	if err := setup.RegenerateColdkeyPub("5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty"); err != nil {
		log.Fatal(err)
	}

	w := wallet.Open(dir, "miner", "default") // "" falls back to BT_WALLET_* and defaults
	hotkey, err := w.Hotkey()
	if err != nil {
		log.Fatal(err)
	}
	coldkey, err := w.ColdkeyPub() // no password needed
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(filepath.Base(w.HotkeyPath()), hotkey)
	fmt.Println(coldkey)
	// Output:
	// default 5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY
	// 5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty
}

func ExampleWallet_Create() {
	dir, err := os.MkdirTemp("", "wallets")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	// Without a terminal the coldkey password must be supplied: here as an
	// option; WithPasswordFunc, WithPasswordFile and BT_PW_* also work.
	w := wallet.Open(dir, "validator", "default", wallet.WithPassword("thisisafakepassword"))
	coldMnemonic, hotMnemonic, err := w.Create()
	if err != nil {
		log.Fatal(err)
	}
	_ = coldMnemonic // show these to the user once; they are not stored elsewhere
	_ = hotMnemonic

	coldkey, _ := os.ReadFile(w.ColdkeyPath())
	hotkey, _ := os.ReadFile(w.HotkeyPath())
	fmt.Println("coldkey encrypted:", wallet.IsEncryptedKeyfile(coldkey))
	fmt.Println("hotkey encrypted:", wallet.IsEncryptedKeyfile(hotkey))

	_, _, err = w.Create()
	fmt.Println(errors.Is(err, wallet.ErrKeyExists))
	// Output:
	// coldkey encrypted: true
	// hotkey encrypted: false
	// true
}
