package wallet

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
)

// testPassword is the one password every encrypting test uses, so the whole
// package pays for a single Argon2 derivation (the libsodium golden file uses
// it too).
const testPassword = "thisisafakepassword"

type fakePrompter struct {
	terminal bool
	answers  []string
	asked    []string
}

func (p *fakePrompter) isTerminal() bool { return p.terminal }

func (p *fakePrompter) readPassword(prompt string) ([]byte, error) {
	p.asked = append(p.asked, prompt)
	if len(p.answers) == 0 {
		return nil, errors.New("no more answers")
	}
	a := p.answers[0]
	p.answers = p.answers[1:]
	return []byte(a), nil
}

func withPrompter(p prompter) Option { return func(o *options) { o.prompter = p } }

func noTTY() Option { return withPrompter(&fakePrompter{}) }

func TestCreateAndReopen(t *testing.T) {
	dir := t.TempDir()
	w := Open(dir, "miner", "hk1", WithPassword(testPassword))
	cold, hot, err := w.Create()
	require.NoError(t, err)
	require.Len(t, strings.Fields(cold), 12)
	require.Len(t, strings.Fields(hot), 12)
	require.NotEqual(t, cold, hot)

	// Layout, modes, encryption defaults.
	for _, p := range []string{"miner/coldkey", "miner/coldkeypub.txt", "miner/hotkeys/hk1", "miner/hotkeys/hk1pub.txt"} {
		st, err := os.Stat(filepath.Join(dir, p))
		require.NoError(t, err, p)
		require.Equal(t, os.FileMode(0o600), st.Mode().Perm(), p)
	}
	for _, p := range []string{"miner", "miner/hotkeys"} {
		st, err := os.Stat(filepath.Join(dir, p))
		require.NoError(t, err)
		require.Equal(t, os.FileMode(0o700), st.Mode().Perm(), p)
	}
	coldData, _ := os.ReadFile(filepath.Join(dir, "miner/coldkey"))
	require.True(t, IsEncryptedKeyfile(coldData))
	hotData, _ := os.ReadFile(filepath.Join(dir, "miner/hotkeys/hk1"))
	require.False(t, IsEncryptedKeyfile(hotData))
	var hotDoc map[string]string
	require.NoError(t, json.Unmarshal(hotData, &hotDoc))
	require.Equal(t, hot, hotDoc["secretPhrase"])
	var pubDoc map[string]string
	pubData, _ := os.ReadFile(filepath.Join(dir, "miner/coldkeypub.txt"))
	require.NoError(t, json.Unmarshal(pubData, &pubDoc))
	require.Len(t, pubDoc, 3)
	entries, _ := os.ReadDir(filepath.Join(dir, "miner"))
	for _, e := range entries {
		require.False(t, strings.HasPrefix(e.Name(), "."), "temp file left behind: %s", e.Name())
	}

	// A fresh Wallet (no cache) reads everything back.
	coldKP, _ := KeypairFromMnemonic(cold)
	hotKP, _ := KeypairFromMnemonic(hot)
	r := Open(dir, "miner", "hk1", WithPassword(testPassword))
	pub, err := r.ColdkeyPub()
	require.NoError(t, err)
	require.Equal(t, coldKP.SS58Address(), pub)
	hpub, err := r.HotkeyPub()
	require.NoError(t, err)
	require.Equal(t, hotKP.SS58Address(), hpub)
	hk, err := r.Hotkey()
	require.NoError(t, err)
	require.Equal(t, hotKP.SS58Address(), hk.SS58Address())
	ck, err := r.Coldkey()
	require.NoError(t, err)
	require.Equal(t, coldKP.SS58Address(), ck.SS58Address())
	again, err := r.Coldkey()
	require.NoError(t, err)
	require.Same(t, ck, again, "unlocked once, then cached")

	// The hotkey needs no password; the coldkey pub neither.
	n := Open(dir, "miner", "hk1", noTTY())
	_, err = n.Hotkey()
	require.NoError(t, err)
	_, err = n.ColdkeyPub()
	require.NoError(t, err)
	_, err = n.Coldkey()
	var pre *PasswordRequiredError
	require.ErrorAs(t, err, &pre)
	require.ErrorIs(t, err, ErrPasswordRequired)
	require.Equal(t, PasswordEnvVar(n.ColdkeyPath()), pre.EnvVar)
	require.Contains(t, err.Error(), pre.EnvVar)

	// Lock forgets and zeroes.
	r.Lock()
	require.False(t, ck.HasPrivateKey())
}

func TestCreateNeverOverwrites(t *testing.T) {
	dir := t.TempDir()
	w := Open(dir, "w", "h", WithPassword(testPassword))
	cold, _, err := w.Create(WithEncryption(false))
	require.NoError(t, err)
	before, _ := os.ReadFile(w.ColdkeyPath())

	_, _, err = w.Create()
	require.ErrorIs(t, err, ErrKeyExists)
	_, err = w.CreateHotkey()
	require.ErrorIs(t, err, ErrKeyExists)
	_, err = w.RegenerateColdkey(FromURI("//Alice"))
	require.ErrorIs(t, err, ErrKeyExists)
	after, _ := os.ReadFile(w.ColdkeyPath())
	require.Equal(t, before, after)

	// With overwrite the key is replaced.
	kp, err := w.RegenerateColdkey(FromURI("//Alice"), WithOverwrite(), WithEncryption(false))
	require.NoError(t, err)
	require.Equal(t, devAccounts[0].address, kp.SS58Address())
	pub, err := Open(dir, "w", "h").ColdkeyPub()
	require.NoError(t, err)
	require.Equal(t, devAccounts[0].address, pub)
	coldKP, _ := KeypairFromMnemonic(cold)
	require.NotEqual(t, coldKP.SS58Address(), pub)

	// writeFileAtomic itself refuses an existing path without overwrite.
	err = writeFileAtomic(w.ColdkeyPath(), []byte("x"), false)
	require.ErrorIs(t, err, ErrKeyExists)
}

func TestRegenerateSources(t *testing.T) {
	alice := devAccounts[0]
	aliceKP, _ := KeypairFromURI("//Alice")
	tests := []struct {
		name   string
		src    KeySource
		addr   string
		phrase bool
	}{
		{"mnemonic", FromMnemonic(DevPhrase), "5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV", true},
		{"seed", FromSeed(mustHex(t, alice.seed)), alice.address, false},
		{"uri", FromURI("//Alice"), alice.address, false},
		{"keyfile json", FromKeyfileJSON(EncodeKeyfileJSON(aliceKP)), alice.address, false},
		{"keypair", FromKeypair(aliceKP), alice.address, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			w := Open(dir, "w", "h", noTTY())
			kp, err := w.RegenerateHotkey(tt.src)
			require.NoError(t, err)
			require.Equal(t, tt.addr, kp.SS58Address())
			hk, err := Open(dir, "w", "h", noTTY()).Hotkey()
			require.NoError(t, err)
			require.Equal(t, tt.addr, hk.SS58Address())
			_, hasPhrase := hk.Mnemonic()
			require.Equal(t, tt.phrase, hasPhrase)
		})
	}
	w := Open(t.TempDir(), "w", "h", noTTY())
	_, err := w.RegenerateHotkey(FromMnemonic("not a mnemonic"))
	require.ErrorIs(t, err, ErrMnemonicWordCount)
	pubOnly, _ := KeypairFromSS58(alice.address)
	_, err = w.RegenerateHotkey(FromKeypair(pubOnly))
	require.ErrorIs(t, err, ErrNoPrivateKey)

	require.NoError(t, w.RegenerateColdkeyPub(alice.address))
	pub, err := w.ColdkeyPub()
	require.NoError(t, err)
	require.Equal(t, alice.address, pub)
	_, err = w.Coldkey()
	require.ErrorIs(t, err, ErrKeyNotFound)
}

// A coldkey written by libsodium with btwallet's parameters (the golden file)
// opens as a wallet coldkey.
func TestOpenLibsodiumColdkey(t *testing.T) {
	_, bin := loadNaclGolden(t)
	dir := t.TempDir()
	w := Open(dir, "btcli", "default", WithPassword(testPassword))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "btcli"), 0o700))
	require.NoError(t, os.WriteFile(w.ColdkeyPath(), bin, 0o600))
	ck, err := w.Coldkey()
	require.NoError(t, err)
	require.Equal(t, "5HDvhV6WDCjCKyrXqGQSDYqQAzkzabNhctmiDYEqgBC66BsX", ck.SS58Address())

	// Wrong password: planted key (see plantDerivedKey), typed error.
	plantDerivedKey(t, "hunter2-incorrect")
	_, err = Open(dir, "btcli", "default", WithPassword("hunter2-incorrect")).Coldkey()
	require.ErrorIs(t, err, ErrWrongPassword)
	var kfe *KeyfileError
	require.ErrorAs(t, err, &kfe)
	require.Equal(t, w.ColdkeyPath(), kfe.Path)
	require.NotContains(t, err.Error(), "hunter2-incorrect")
}

func TestPasswordSources(t *testing.T) {
	dir := t.TempDir()
	seedW := Open(dir, "w", "h", WithPassword(testPassword))
	_, err := seedW.RegenerateColdkey(FromURI("//Bob"))
	require.NoError(t, err)
	bob := devAccounts[1].address
	path := seedW.ColdkeyPath()

	t.Run("callback", func(t *testing.T) {
		var calls atomic.Int32
		w := Open(dir, "w", "h", WithPasswordFunc(func(p string) (string, error) {
			calls.Add(1)
			require.Equal(t, path, p)
			return testPassword, nil
		}))
		var wg sync.WaitGroup
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ck, err := w.Coldkey()
				if err == nil && ck.SS58Address() != bob {
					err = errors.New("wrong key")
				}
				require.NoError(t, err)
			}()
		}
		wg.Wait()
		require.Equal(t, int32(1), calls.Load(), "decrypted once")
	})
	t.Run("callback error", func(t *testing.T) {
		boom := errors.New("vault unavailable")
		_, err := Open(dir, "w", "h", WithPasswordFunc(func(string) (string, error) { return "", boom })).Coldkey()
		require.ErrorIs(t, err, boom)
	})
	t.Run("file", func(t *testing.T) {
		pwFile := filepath.Join(t.TempDir(), "pw")
		require.NoError(t, os.WriteFile(pwFile, []byte(testPassword+"\n"), 0o600))
		ck, err := Open(dir, "w", "h", WithPasswordFile(pwFile)).Coldkey()
		require.NoError(t, err)
		require.Equal(t, bob, ck.SS58Address())
		_, err = Open(dir, "w", "h", WithPasswordFile(pwFile+".missing")).Coldkey()
		require.Error(t, err)
	})
	t.Run("env", func(t *testing.T) {
		name, value := EncodePasswordEnv(path, testPassword)
		require.Equal(t, PasswordEnvVar(path), name)
		require.NotContains(t, value, testPassword)
		t.Setenv(name, value)
		ck, err := Open(dir, "w", "h", noTTY()).Coldkey()
		require.NoError(t, err)
		require.Equal(t, bob, ck.SS58Address())
	})
	t.Run("env not base64", func(t *testing.T) {
		t.Setenv(PasswordEnvVar(path), "!!!")
		_, err := Open(dir, "w", "h", noTTY()).Coldkey()
		require.Error(t, err)
		require.NotContains(t, err.Error(), "!!!")
	})
	t.Run("prompt", func(t *testing.T) {
		p := &fakePrompter{terminal: true, answers: []string{testPassword}}
		ck, err := Open(dir, "w", "h", withPrompter(p)).Coldkey()
		require.NoError(t, err)
		require.Equal(t, bob, ck.SS58Address())
		require.Len(t, p.asked, 1)
		require.Contains(t, p.asked[0], path)
	})
	t.Run("option beats env", func(t *testing.T) {
		_, value := EncodePasswordEnv(path, "some other password")
		t.Setenv(PasswordEnvVar(path), value)
		ck, err := Open(dir, "w", "h", WithPassword(testPassword)).Coldkey()
		require.NoError(t, err)
		require.Equal(t, bob, ck.SS58Address())
	})
	t.Run("without prompt", func(t *testing.T) {
		_, err := Open(dir, "w", "h", withPrompter(&fakePrompter{terminal: true}), WithoutPrompt()).Coldkey()
		require.ErrorIs(t, err, ErrPasswordRequired)
	})
}

func TestCreatePromptConfirms(t *testing.T) {
	dir := t.TempDir()
	p := &fakePrompter{terminal: true, answers: []string{testPassword, "mismatch!"}}
	_, err := Open(dir, "w", "h", withPrompter(p)).CreateColdkey()
	require.ErrorIs(t, err, errPasswordMismatch)
	require.NoFileExists(t, filepath.Join(dir, "w", "coldkey"))

	p = &fakePrompter{terminal: true, answers: []string{"short"}}
	_, err = Open(dir, "w", "h", withPrompter(p)).CreateColdkey()
	require.Error(t, err)

	p = &fakePrompter{terminal: true, answers: []string{testPassword, testPassword}}
	w := Open(dir, "w", "h", withPrompter(p))
	m, err := w.CreateColdkey(WithWords(24))
	require.NoError(t, err)
	require.Len(t, strings.Fields(m), 24)
	_, err = w.CreateColdkey(WithWords(13), WithOverwrite())
	require.ErrorIs(t, err, ErrMnemonicWordCount)
}

func TestPasswordEnvEncoding(t *testing.T) {
	// Reference value computed independently in Python:
	//   name = "BT_PW__HOME_ALICE__BITTENSOR_WALLETS_DEFAULT_COLDKEY"
	//   base64.b64encode(bytes(c ^ ord(name[i % len(name)]) for i, c in enumerate(b"hunter2"))).decode()
	name, value := EncodePasswordEnv("/home/alice/.bittensor/wallets/default/coldkey", "hunter2")
	require.Equal(t, "BT_PW__HOME_ALICE__BITTENSOR_WALLETS_DEFAULT_COLDKEY", name)
	require.Equal(t, "KiExJDItbQ==", value)
	pw, err := DecodePasswordEnv(name, value)
	require.NoError(t, err)
	require.Equal(t, "hunter2", pw)
	// Passwords longer than the name reuse the key cyclically.
	long := strings.Repeat("p4ss", 40)
	_, v := EncodePasswordEnv("/k", long)
	back, err := DecodePasswordEnv(PasswordEnvVar("/k"), v)
	require.NoError(t, err)
	require.Equal(t, long, back)
}

func TestOpenDefaultsAndNames(t *testing.T) {
	t.Setenv(EnvWalletPath, "")
	t.Setenv(EnvWalletName, "")
	t.Setenv(EnvWalletHotkey, "")
	home, err := os.UserHomeDir()
	require.NoError(t, err)
	w := Open("", "", "")
	require.Equal(t, filepath.Join(home, ".bittensor", "wallets"), w.Path())
	require.Equal(t, "default", w.Name())
	require.Equal(t, "default", w.HotkeyName())
	require.Equal(t, filepath.Join(home, ".bittensor/wallets/default/hotkeys/defaultpub.txt"), w.HotkeyPubPath())

	t.Setenv(EnvWalletPath, "~/elsewhere")
	t.Setenv(EnvWalletName, "cold")
	t.Setenv(EnvWalletHotkey, "hot")
	w = Open("", "", "")
	require.Equal(t, filepath.Join(home, "elsewhere"), w.Path())
	require.Equal(t, "cold", w.Name())
	require.Equal(t, "hot", w.HotkeyName())
	require.Equal(t, "explicit", Open("", "explicit", "").Name())
	require.Contains(t, w.String(), "cold")

	for _, bad := range [][2]string{{"../x", "h"}, {"w", "a/b"}, {"..", "h"}, {"w", "."}} {
		w := Open(t.TempDir(), bad[0], bad[1])
		_, err := w.Coldkey()
		require.ErrorIs(t, err, ErrInvalidName)
		_, err = w.ColdkeyPub()
		require.ErrorIs(t, err, ErrInvalidName)
		_, _, err = w.Create()
		require.ErrorIs(t, err, ErrInvalidName)
	}
}

func TestMissingAndCorruptFiles(t *testing.T) {
	dir := t.TempDir()
	w := Open(dir, "w", "h", noTTY())
	_, err := w.Coldkey()
	require.ErrorIs(t, err, ErrKeyNotFound)
	_, err = w.ColdkeyPub()
	require.ErrorIs(t, err, ErrKeyNotFound)
	_, err = w.HotkeyPub()
	require.ErrorIs(t, err, ErrKeyNotFound)

	require.NoError(t, os.MkdirAll(filepath.Join(dir, "w", "hotkeys"), 0o700))
	require.NoError(t, os.WriteFile(w.HotkeyPath(), []byte("{not json"), 0o600))
	_, err = w.Hotkey()
	require.ErrorIs(t, err, ErrKeyfileFormat)
	require.NoError(t, os.WriteFile(w.ColdkeyPath(), []byte("$ANSIBLE_VAULT;1.1;AES256"), 0o600))
	_, err = Open(dir, "w", "h", WithPassword("x")).Coldkey()
	require.ErrorIs(t, err, ErrLegacyKeyfile)

	// Older wallets without a hotkey pub file: HotkeyPub falls back to the
	// unencrypted hotkey.
	alice, _ := KeypairFromURI("//Alice")
	require.NoError(t, os.WriteFile(w.HotkeyPath(), EncodeKeyfileJSON(alice), 0o600))
	hp, err := w.HotkeyPub()
	require.NoError(t, err)
	require.Equal(t, alice.SS58Address(), hp)
}

func TestHotkeyNotBlockedByColdkeyUnlock(t *testing.T) {
	dir := t.TempDir()
	setup := Open(dir, "w", "h", WithPassword(testPassword))
	_, err := setup.RegenerateColdkey(FromURI("//Alice"))
	require.NoError(t, err)
	_, err = setup.RegenerateHotkey(FromURI("//Bob"))
	require.NoError(t, err)

	entered, release := make(chan struct{}), make(chan struct{})
	w := Open(dir, "w", "h", WithPasswordFunc(func(string) (string, error) {
		close(entered)
		<-release // the coldkey unlock is stuck here
		return testPassword, nil
	}))
	done := make(chan error, 1)
	go func() {
		_, err := w.Coldkey()
		done <- err
	}()
	<-entered
	hk, err := w.Hotkey() // must not wait for the coldkey
	require.NoError(t, err)
	require.Equal(t, devAccounts[1].address, hk.SS58Address())
	close(release)
	require.NoError(t, <-done)
}
