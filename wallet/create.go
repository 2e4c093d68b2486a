package wallet

import (
	"fmt"
	"os"
	"path/filepath"
)

// KeyOption configures creating or regenerating a key.
type KeyOption func(*keyOptions)

type keyOptions struct {
	overwrite bool
	encrypt   *bool
	words     int
}

// WithOverwrite allows replacing existing key files. Without it, writing
// over an existing key fails with ErrKeyExists and nothing is changed.
func WithOverwrite() KeyOption { return func(o *keyOptions) { o.overwrite = true } }

// WithEncryption chooses whether the key file is $NACL-encrypted. Defaults
// follow btcli: coldkeys encrypted, hotkeys not.
func WithEncryption(on bool) KeyOption { return func(o *keyOptions) { o.encrypt = &on } }

// WithWords sets the mnemonic length for new keys (12, 15, 18, 21 or 24;
// default 12 as in btcli).
func WithWords(n int) KeyOption { return func(o *keyOptions) { o.words = n } }

func resolveKeyOptions(defaultEncrypt bool, opts []KeyOption) keyOptions {
	o := keyOptions{words: 12}
	for _, f := range opts {
		f(&o)
	}
	if o.encrypt == nil {
		o.encrypt = &defaultEncrypt
	}
	return o
}

// KeySource is key material for RegenerateColdkey and RegenerateHotkey.
type KeySource interface {
	keypair() (*Keypair, error)
}

type sourceFunc func() (*Keypair, error)

func (f sourceFunc) keypair() (*Keypair, error) { return f() }

// FromMnemonic regenerates a key from its BIP39 mnemonic (btcli
// regen_coldkey --mnemonic).
func FromMnemonic(phrase string) KeySource {
	return sourceFunc(func() (*Keypair, error) { return KeypairFromMnemonic(phrase) })
}

// FromSeed regenerates a key from its 32-byte mini secret (btcli --seed).
func FromSeed(seed []byte) KeySource {
	s := append([]byte(nil), seed...)
	return sourceFunc(func() (*Keypair, error) {
		defer clear(s)
		return KeypairFromSeed(s)
	})
}

// FromURI regenerates a key from a secret URI ("//Alice", "<phrase>//hard").
func FromURI(suri string) KeySource {
	return sourceFunc(func() (*Keypair, error) { return KeypairFromURI(suri) })
}

// FromKeyfileJSON regenerates a key from decrypted btcli key-file JSON.
func FromKeyfileJSON(data []byte) KeySource {
	d := append([]byte(nil), data...)
	return sourceFunc(func() (*Keypair, error) {
		defer clear(d)
		return DecodeKeyfileJSON(d)
	})
}

// FromKeypair stores an existing keypair.
func FromKeypair(kp *Keypair) KeySource {
	return sourceFunc(func() (*Keypair, error) {
		if kp == nil || !kp.HasPrivateKey() {
			return nil, ErrNoPrivateKey
		}
		return kp, nil
	})
}

// Create makes a new coldkey and hotkey from fresh mnemonics, as
// `btcli wallet create` does: the coldkey encrypted (password from the
// wallet's options, BT_PW_*, or a confirmed terminal prompt), the hotkey in
// the clear, plus both pub files. It returns the two mnemonics, which the
// caller must show to the user or store safely; they are not kept anywhere
// else. Existing files are never replaced without WithOverwrite (checked
// before anything is written). WithEncryption applies to the coldkey only;
// use CreateHotkey to encrypt a hotkey.
func (w *Wallet) Create(opts ...KeyOption) (coldMnemonic, hotMnemonic string, err error) {
	if w.err != nil {
		return "", "", w.err
	}
	o := resolveKeyOptions(true, opts)
	if !o.overwrite {
		for _, p := range []string{w.ColdkeyPath(), w.ColdkeyPubPath(), w.HotkeyPath(), w.HotkeyPubPath()} {
			if fileExists(p) {
				return "", "", &KeyfileError{Path: p, Op: "create", Err: ErrKeyExists}
			}
		}
	}
	coldMnemonic, err = w.CreateColdkey(opts...)
	if err != nil {
		return "", "", err
	}
	hotOpts := append(append([]KeyOption(nil), opts...), WithEncryption(false))
	hotMnemonic, err = w.CreateHotkey(hotOpts...)
	if err != nil {
		return "", "", err
	}
	return coldMnemonic, hotMnemonic, nil
}

// CreateColdkey makes a new coldkey (encrypted by default) and coldkeypub.txt.
func (w *Wallet) CreateColdkey(opts ...KeyOption) (mnemonic string, err error) {
	return w.createKey(true, opts)
}

// CreateHotkey makes a new hotkey (unencrypted by default) and its pub file.
func (w *Wallet) CreateHotkey(opts ...KeyOption) (mnemonic string, err error) {
	return w.createKey(false, opts)
}

func (w *Wallet) createKey(cold bool, opts []KeyOption) (string, error) {
	if w.err != nil {
		return "", w.err
	}
	o := resolveKeyOptions(cold, opts)
	m, err := NewMnemonic(o.words)
	if err != nil {
		return "", err
	}
	kp, err := KeypairFromMnemonic(m)
	if err != nil {
		return "", err
	}
	if err := w.storeKey(cold, kp, o); err != nil {
		kp.Zero()
		return "", err
	}
	return m, nil
}

// RegenerateColdkey writes the coldkey from existing key material (mnemonic,
// seed, URI, key-file JSON), encrypted by default, plus coldkeypub.txt.
func (w *Wallet) RegenerateColdkey(src KeySource, opts ...KeyOption) (*Keypair, error) {
	return w.regenerate(true, src, opts)
}

// RegenerateHotkey writes the hotkey from existing key material, unencrypted
// by default, plus its pub file.
func (w *Wallet) RegenerateHotkey(src KeySource, opts ...KeyOption) (*Keypair, error) {
	return w.regenerate(false, src, opts)
}

func (w *Wallet) regenerate(cold bool, src KeySource, opts []KeyOption) (*Keypair, error) {
	if w.err != nil {
		return nil, w.err
	}
	if src == nil {
		return nil, fmt.Errorf("%w: no key source", ErrInvalidKey)
	}
	kp, err := src.keypair()
	if err != nil {
		return nil, err
	}
	if !kp.HasPrivateKey() {
		return nil, ErrNoPrivateKey
	}
	if err := w.storeKey(cold, kp, resolveKeyOptions(cold, opts)); err != nil {
		return nil, err
	}
	return kp, nil
}

// RegenerateColdkeyPub writes only coldkeypub.txt for an SS58 address
// (btcli regen_coldkeypub), for machines that must not hold the coldkey.
func (w *Wallet) RegenerateColdkeyPub(ss58 string, opts ...KeyOption) error {
	if w.err != nil {
		return w.err
	}
	kp, err := KeypairFromSS58(ss58)
	if err != nil {
		return err
	}
	o := resolveKeyOptions(false, opts)
	return writeFileAtomic(w.ColdkeyPubPath(), EncodePubKeyfileJSON(kp), o.overwrite)
}

func (w *Wallet) storeKey(cold bool, kp *Keypair, o keyOptions) error {
	keyPath, pubPath := w.HotkeyPath(), w.HotkeyPubPath()
	if cold {
		keyPath, pubPath = w.ColdkeyPath(), w.ColdkeyPubPath()
	}
	if !o.overwrite {
		for _, p := range []string{keyPath, pubPath} {
			if fileExists(p) {
				return &KeyfileError{Path: p, Op: "create", Err: ErrKeyExists}
			}
		}
	}
	if err := os.MkdirAll(w.walletDir(cold), walletDirMode); err != nil {
		return &KeyfileError{Path: keyPath, Op: "create directory for", Err: err}
	}
	data := EncodeKeyfileJSON(kp)
	defer clear(data)
	if *o.encrypt {
		pw, err := w.password(keyPath, true)
		if err != nil {
			return err
		}
		enc, err := EncryptKeyfile(data, pw)
		if err != nil {
			return err
		}
		clear(data)
		data = enc
	}
	if err := writeFileAtomic(keyPath, data, o.overwrite); err != nil {
		return err
	}
	if err := writeFileAtomic(pubPath, EncodePubKeyfileJSON(kp), o.overwrite); err != nil {
		return err
	}
	w.opts.logger.Info("wallet: wrote key", "path", keyPath, "ss58", kp.SS58Address(), "encrypted", *o.encrypt)
	if cold {
		w.coldMu.Lock()
		w.coldkey = kp
		w.coldMu.Unlock()
	} else {
		w.hotMu.Lock()
		w.hot = kp
		w.hotMu.Unlock()
	}
	return nil
}

func (w *Wallet) walletDir(cold bool) string {
	if cold {
		return filepath.Join(w.path, w.name)
	}
	return filepath.Join(w.path, w.name, "hotkeys")
}
