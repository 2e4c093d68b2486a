// Command quickstart creates a btcli-compatible wallet in a temporary
// directory, prints its addresses, reopens it from disk (decrypting the
// coldkey with its password) and signs and verifies a message with the
// hotkey: the smallest end-to-end use of the wallet package.
//
//	go run ./examples/quickstart
//	go run ./examples/quickstart -dir /tmp/wallets -name demo -keep
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/gotensor/gotensor/wallet"
)

func main() {
	dir := flag.String("dir", "", "wallet root directory (default: a new temporary directory)")
	name := flag.String("name", "quickstart", "wallet name")
	hotkey := flag.String("hotkey", "default", "hotkey name")
	password := flag.String("password", "quickstart-demo-password", "coldkey password (demo only; use BT_PW_* or a prompt for real keys)")
	keep := flag.Bool("keep", false, "keep the temporary directory")
	flag.Parse()
	if err := run(os.Stdout, *dir, *name, *hotkey, *password, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run(out io.Writer, dir, name, hotkey, password string, keep bool) error {
	if dir == "" {
		tmp, err := os.MkdirTemp("", "gotensor-wallets-")
		if err != nil {
			return err
		}
		dir = tmp
		if !keep {
			defer os.RemoveAll(tmp)
		}
	}
	fmt.Fprintf(out, "wallet root: %s\n", dir)

	w := wallet.Open(dir, name, hotkey, wallet.WithPassword(password), wallet.WithoutPrompt())
	if _, _, err := w.Create(); err != nil {
		return fmt.Errorf("create wallet: %w", err)
	}
	fmt.Fprintf(out, "created wallet %q (coldkey encrypted with $NACL, hotkey %q in clear, as btcli does)\n", name, hotkey)

	// Reopen from disk as a separate process would: the coldkey public
	// address needs no password; the coldkey itself is decrypted once.
	again := wallet.Open(dir, name, hotkey, wallet.WithPassword(password), wallet.WithoutPrompt())
	coldpub, err := again.ColdkeyPub()
	if err != nil {
		return fmt.Errorf("read coldkeypub.txt: %w", err)
	}
	cold, err := again.Coldkey()
	if err != nil {
		return fmt.Errorf("unlock coldkey: %w", err)
	}
	hot, err := again.Hotkey()
	if err != nil {
		return fmt.Errorf("open hotkey: %w", err)
	}
	if cold.SS58Address() != coldpub {
		return fmt.Errorf("coldkey %s does not match coldkeypub.txt %s", cold.SS58Address(), coldpub)
	}
	fmt.Fprintf(out, "coldkey: %s\n", coldpub)
	fmt.Fprintf(out, "hotkey:  %s\n", hot.SS58Address())

	msg := []byte("hello from gotensor")
	sig, err := hot.Sign(msg)
	if err != nil {
		return fmt.Errorf("sign: %w", err)
	}
	if !wallet.Verify(hot.SS58Address(), msg, sig) {
		return fmt.Errorf("the hotkey's own signature did not verify")
	}
	fmt.Fprintf(out, "signed %q with the hotkey: 0x%x… (verified)\n", msg, sig[:8])
	return nil
}
