package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gotensor/gotensor/wallet"
)

// The quickstart writes a real wallet: the files it leaves must open with
// the wallet package and match the addresses it printed.
func TestQuickstartCreatesAWalletThatReopens(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	require.NoError(t, run(&out, dir, "qs", "hk", "a-test-password", true))

	addr := regexp.MustCompile(`(?m)^(coldkey|hotkey): +(5\w{47})$`)
	found := map[string]string{}
	for _, m := range addr.FindAllStringSubmatch(out.String(), -1) {
		found[m[1]] = m[2]
	}
	require.Len(t, found, 2, out.String())
	require.Contains(t, out.String(), "(verified)")

	w := wallet.Open(dir, "qs", "hk", wallet.WithoutPrompt())
	pub, err := w.ColdkeyPub()
	require.NoError(t, err)
	require.Equal(t, found["coldkey"], pub)
	hot, err := w.Hotkey()
	require.NoError(t, err)
	require.Equal(t, found["hotkey"], hot.SS58Address())

	info, err := os.Stat(filepath.Join(dir, "qs", "coldkey"))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), info.Mode().Perm())

	// Creating again must not overwrite the keys.
	require.Error(t, run(&bytes.Buffer{}, dir, "qs", "hk", "a-test-password", true))
}
