package wallet

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// Defaults and environment variables, as bittensor-wallet uses them.
const (
	DefaultWalletPath = "~/.bittensor/wallets"
	DefaultWalletName = "default"
	DefaultHotkeyName = "default"

	EnvWalletPath   = "BT_WALLET_PATH"
	EnvWalletName   = "BT_WALLET_NAME"
	EnvWalletHotkey = "BT_WALLET_HOTKEY"
)

// Wallet is a btcli wallet on disk:
//
//	<path>/<name>/coldkey                 (encrypted by default)
//	<path>/<name>/coldkeypub.txt          (public key only, never encrypted)
//	<path>/<name>/hotkeys/<hotkey>        (unencrypted by default)
//	<path>/<name>/hotkeys/<hotkey>pub.txt
//
// Keys are read lazily and cached once unlocked, so the Argon2 cost of an
// encrypted key is paid once per process. A Wallet is safe for concurrent use.
type Wallet struct {
	path, name, hotkey string
	opts               options
	err                error // invalid name or hotkey, reported by every method

	// One lock per key, so that unlocking the coldkey (seconds of Argon2)
	// never blocks a Hotkey call.
	coldMu  sync.Mutex
	coldkey *Keypair
	hotMu   sync.Mutex
	hot     *Keypair
}

// Option configures a Wallet.
type Option func(*options)

type options struct {
	password     string
	hasPassword  bool
	passwordFunc func(keyfilePath string) (string, error)
	passwordFile string
	prompter     prompter
	logger       *slog.Logger
}

// WithPassword supplies the password for encrypted key files (reading) and
// for encrypting new ones (writing).
func WithPassword(pw string) Option {
	return func(o *options) { o.password, o.hasPassword = pw, true }
}

// WithPasswordFunc supplies passwords from a callback, called with the key
// file path each time a password is needed (at most once per key, since
// unlocked keys are cached).
func WithPasswordFunc(f func(keyfilePath string) (string, error)) Option {
	return func(o *options) { o.passwordFunc = f }
}

// WithPasswordFile reads the password from a file (one trailing newline is
// ignored), for example a container secret.
func WithPasswordFile(path string) Option {
	return func(o *options) { o.passwordFile = path }
}

// WithoutPrompt never asks on the terminal, even when stdin is one; a
// missing password is then a *PasswordRequiredError.
func WithoutPrompt() Option {
	return func(o *options) { o.prompter = nil }
}

// WithLogger sets the logger for unlock and write events (never secrets).
func WithLogger(l *slog.Logger) Option {
	return func(o *options) { o.logger = l }
}

// Open returns the wallet <path>/<name> with hotkey <hotkey>. Empty
// arguments fall back to BT_WALLET_PATH, BT_WALLET_NAME and BT_WALLET_HOTKEY,
// then to ~/.bittensor/wallets, "default" and "default". A leading "~" is
// expanded. Nothing is read until a key is asked for; an invalid name is
// reported by every method.
func Open(path, name, hotkey string, opts ...Option) *Wallet {
	w := &Wallet{
		path:   expandHome(firstNonEmpty(path, os.Getenv(EnvWalletPath), DefaultWalletPath)),
		name:   firstNonEmpty(name, os.Getenv(EnvWalletName), DefaultWalletName),
		hotkey: firstNonEmpty(hotkey, os.Getenv(EnvWalletHotkey), DefaultHotkeyName),
		opts:   options{prompter: ttyPrompter{}, logger: slog.New(slog.DiscardHandler)},
	}
	for _, o := range opts {
		o(&w.opts)
	}
	if w.opts.logger == nil {
		w.opts.logger = slog.New(slog.DiscardHandler)
	}
	if err := validateName("wallet name", w.name); err != nil {
		w.err = err
	} else if err := validateName("hotkey name", w.hotkey); err != nil {
		w.err = err
	}
	return w
}

// ErrInvalidName reports a wallet or hotkey name that is not a plain file name.
var ErrInvalidName = errors.New("wallet: invalid wallet or hotkey name")

func validateName(what, n string) error {
	if n == "." || n == ".." || strings.ContainsAny(n, `/\`) || strings.ContainsRune(n, 0) {
		return fmt.Errorf("%w: %s %q", ErrInvalidName, what, n)
	}
	return nil
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

func expandHome(p string) string {
	if p != "~" && !strings.HasPrefix(p, "~/") {
		return p
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return p
	}
	return filepath.Join(home, p[1:])
}

// Path is the wallets directory (expanded).
func (w *Wallet) Path() string { return w.path }

// Name is the wallet (coldkey) name.
func (w *Wallet) Name() string { return w.name }

// HotkeyName is the hotkey's name.
func (w *Wallet) HotkeyName() string { return w.hotkey }

// ColdkeyPath is <path>/<name>/coldkey.
func (w *Wallet) ColdkeyPath() string { return filepath.Join(w.path, w.name, "coldkey") }

// ColdkeyPubPath is <path>/<name>/coldkeypub.txt.
func (w *Wallet) ColdkeyPubPath() string { return filepath.Join(w.path, w.name, "coldkeypub.txt") }

// HotkeyPath is <path>/<name>/hotkeys/<hotkey>.
func (w *Wallet) HotkeyPath() string { return filepath.Join(w.path, w.name, "hotkeys", w.hotkey) }

// HotkeyPubPath is <path>/<name>/hotkeys/<hotkey>pub.txt.
func (w *Wallet) HotkeyPubPath() string {
	return filepath.Join(w.path, w.name, "hotkeys", w.hotkey+"pub.txt")
}

// String describes the wallet without secrets.
func (w *Wallet) String() string {
	return fmt.Sprintf("Wallet(name=%s, hotkey=%s, path=%s)", w.name, w.hotkey, w.path)
}

// Coldkey returns the coldkey, decrypting it on first use (see Option for
// where the password comes from) and caching it afterwards.
func (w *Wallet) Coldkey() (*Keypair, error) {
	if w.err != nil {
		return nil, w.err
	}
	w.coldMu.Lock()
	defer w.coldMu.Unlock()
	if w.coldkey == nil {
		kp, err := w.loadKey(w.ColdkeyPath())
		if err != nil {
			return nil, err
		}
		w.coldkey = kp
	}
	return w.coldkey, nil
}

// Hotkey returns the hotkey, decrypting it on first use if it is encrypted.
func (w *Wallet) Hotkey() (*Keypair, error) {
	if w.err != nil {
		return nil, w.err
	}
	w.hotMu.Lock()
	defer w.hotMu.Unlock()
	if w.hot == nil {
		kp, err := w.loadKey(w.HotkeyPath())
		if err != nil {
			return nil, err
		}
		w.hot = kp
	}
	return w.hot, nil
}

// ColdkeyPub returns the coldkey's SS58 address from coldkeypub.txt; no
// password is needed.
func (w *Wallet) ColdkeyPub() (string, error) {
	kp, err := w.loadPub(w.ColdkeyPubPath())
	if err != nil {
		return "", err
	}
	return kp.SS58Address(), nil
}

// HotkeyPub returns the hotkey's SS58 address from hotkeys/<hotkey>pub.txt,
// falling back to the hotkey file itself when it is unencrypted (wallets
// made by older btcli versions have no hotkey pub file).
func (w *Wallet) HotkeyPub() (string, error) {
	kp, err := w.loadPub(w.HotkeyPubPath())
	if err == nil {
		return kp.SS58Address(), nil
	}
	if !errors.Is(err, ErrKeyNotFound) {
		return "", err
	}
	data, rerr := readKeyfile(w.HotkeyPath())
	if rerr != nil || IsEncryptedKeyfile(data) {
		return "", err
	}
	hk, derr := DecodeKeyfileJSON(data)
	clear(data)
	if derr != nil {
		return "", &KeyfileError{Path: w.HotkeyPath(), Op: "decode", Err: derr}
	}
	addr := hk.SS58Address()
	hk.Zero()
	return addr, nil
}

func (w *Wallet) loadPub(path string) (*Keypair, error) {
	if w.err != nil {
		return nil, w.err
	}
	data, err := readKeyfile(path)
	if err != nil {
		return nil, err
	}
	if IsEncryptedKeyfile(data) {
		return nil, &KeyfileError{Path: path, Op: "decode", Err: fmt.Errorf("%w: pub file is encrypted", ErrKeyfileFormat)}
	}
	kp, err := DecodeKeyfileJSON(data)
	if err != nil {
		return nil, &KeyfileError{Path: path, Op: "decode", Err: err}
	}
	if kp.HasPrivateKey() {
		// A pub file should never hold a secret; do not keep it around.
		pub, _ := KeypairFromPublicKey(kp.PublicKey())
		kp.Zero()
		kp = pub
	}
	return kp, nil
}

func (w *Wallet) loadKey(path string) (*Keypair, error) {
	data, err := readKeyfile(path)
	if err != nil {
		return nil, err
	}
	defer clear(data)
	if IsEncryptedKeyfile(data) {
		pw, err := w.password(path, false)
		if err != nil {
			return nil, err
		}
		plain, err := DecryptKeyfile(data, pw)
		if err != nil {
			return nil, &KeyfileError{Path: path, Op: "decrypt", Err: err}
		}
		defer clear(plain)
		data = plain
		w.opts.logger.Debug("wallet: unlocked key file", "path", path)
	}
	kp, err := DecodeKeyfileJSON(data)
	if err != nil {
		return nil, &KeyfileError{Path: path, Op: "decode", Err: err}
	}
	return kp, nil
}

// Lock zeroes and forgets the cached unlocked keys. Keypairs previously
// returned by Coldkey and Hotkey become public-only, so call it only once
// nothing is signing with them any more (for example at shutdown).
func (w *Wallet) Lock() {
	w.coldMu.Lock()
	w.coldkey.Zero()
	w.coldkey = nil
	w.coldMu.Unlock()
	w.hotMu.Lock()
	w.hot.Zero()
	w.hot = nil
	w.hotMu.Unlock()
}

// ColdkeyExists reports whether the coldkey file exists.
func (w *Wallet) ColdkeyExists() bool { return fileExists(w.ColdkeyPath()) }

// HotkeyExists reports whether the hotkey file exists.
func (w *Wallet) HotkeyExists() bool { return fileExists(w.HotkeyPath()) }
