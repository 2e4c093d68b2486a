package wallet

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// PasswordEnvVar returns the environment variable bittensor-wallet consults
// for a key file's password: "BT_PW_" + the key file path with '/' and '.'
// replaced by '_', upper-cased. For ~/.bittensor/wallets/default/coldkey of
// user "alice" that is BT_PW__HOME_ALICE__BITTENSOR_WALLETS_DEFAULT_COLDKEY.
func PasswordEnvVar(keyfilePath string) string {
	p := strings.ReplaceAll(keyfilePath, string(os.PathSeparator), "_")
	p = strings.ReplaceAll(p, ".", "_")
	return "BT_PW_" + strings.ToUpper(p)
}

// EncodePasswordEnv returns the variable name and value under which
// bittensor-wallet (and this package) finds the password of keyfilePath:
// base64(password XOR name), the name's bytes repeated as the key. This is
// obfuscation, not encryption: anyone who can read the environment can
// recover the password.
func EncodePasswordEnv(keyfilePath, password string) (name, value string) {
	name = PasswordEnvVar(keyfilePath)
	x := xorWithKey([]byte(password), name)
	value = base64.StdEncoding.EncodeToString(x)
	clear(x)
	return name, value
}

// DecodePasswordEnv reverses EncodePasswordEnv for a variable name and value.
func DecodePasswordEnv(name, value string) (string, error) {
	raw, err := base64.StdEncoding.DecodeString(value)
	if err != nil {
		return "", fmt.Errorf("wallet: %s is not valid base64", name)
	}
	x := xorWithKey(raw, name)
	pw := string(x)
	clear(x)
	clear(raw)
	return pw, nil
}

func xorWithKey(data []byte, key string) []byte {
	out := make([]byte, len(data))
	if len(key) == 0 {
		copy(out, data)
		return out
	}
	for i, c := range data {
		out[i] = c ^ key[i%len(key)]
	}
	return out
}

// passwordSource resolves the password for one key file. The order is:
// WithPassword, WithPasswordFunc, WithPasswordFile, the BT_PW_* variable, and
// finally a terminal prompt when stdin is a terminal.
func (w *Wallet) password(path string, confirm bool) (string, error) {
	o := &w.opts
	switch {
	case o.hasPassword:
		return o.password, nil
	case o.passwordFunc != nil:
		pw, err := o.passwordFunc(path)
		if err != nil {
			return "", fmt.Errorf("wallet: password callback: %w", err)
		}
		return pw, nil
	case o.passwordFile != "":
		return readPasswordFile(o.passwordFile)
	}
	name := PasswordEnvVar(path)
	if v, ok := os.LookupEnv(name); ok {
		return DecodePasswordEnv(name, v)
	}
	if o.prompter != nil && o.prompter.isTerminal() {
		return promptPassword(o.prompter, path, confirm)
	}
	return "", &PasswordRequiredError{Path: path, EnvVar: name}
}

// readPasswordFile reads a password from a file, dropping one trailing
// newline (as `echo pw > file` leaves).
func readPasswordFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("wallet: password file: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, 4096))
	if err != nil {
		return "", fmt.Errorf("wallet: password file: %w", err)
	}
	b = bytes.TrimSuffix(b, []byte("\n"))
	b = bytes.TrimSuffix(b, []byte("\r"))
	pw := string(b)
	clear(b)
	return pw, nil
}

// prompter reads passwords from a terminal. The default uses stdin/stderr;
// tests substitute their own.
type prompter interface {
	isTerminal() bool
	readPassword(prompt string) ([]byte, error)
}

type ttyPrompter struct{}

func (ttyPrompter) isTerminal() bool { return term.IsTerminal(int(os.Stdin.Fd())) }

func (ttyPrompter) readPassword(prompt string) ([]byte, error) {
	fmt.Fprint(os.Stderr, prompt)
	pw, err := term.ReadPassword(int(os.Stdin.Fd()))
	fmt.Fprintln(os.Stderr)
	return pw, err
}

// minPromptPasswordLen is btwallet's minimum for passwords typed at creation.
const minPromptPasswordLen = 6

var errPasswordMismatch = errors.New("wallet: passwords do not match")

func promptPassword(p prompter, path string, confirm bool) (string, error) {
	if !confirm {
		pw, err := p.readPassword(fmt.Sprintf("Enter password to unlock %s: ", path))
		if err != nil {
			return "", fmt.Errorf("wallet: reading password: %w", err)
		}
		s := string(pw)
		clear(pw)
		return s, nil
	}
	pw, err := p.readPassword(fmt.Sprintf("Enter a password to encrypt %s: ", path))
	if err != nil {
		return "", fmt.Errorf("wallet: reading password: %w", err)
	}
	defer clear(pw)
	if len(pw) < minPromptPasswordLen {
		return "", fmt.Errorf("wallet: password must be at least %d characters", minPromptPasswordLen)
	}
	again, err := p.readPassword("Retype the password: ")
	if err != nil {
		return "", fmt.Errorf("wallet: reading password: %w", err)
	}
	defer clear(again)
	if !bytes.Equal(pw, again) {
		return "", errPasswordMismatch
	}
	return string(pw), nil
}
