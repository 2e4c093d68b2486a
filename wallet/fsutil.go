package wallet

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

const (
	keyfileMode   = 0o600
	walletDirMode = 0o700
	// maxKeyfileRead bounds reads of key and pub files.
	maxKeyfileRead = 1 << 20
)

// writeFileAtomic writes data to path so that readers see either the old file
// or the complete new one, never a torn write: a temporary file in the same
// directory is written with mode 0600, fsynced and then moved into place.
// Without overwrite the move is a hard link, which fails atomically if path
// already exists (no check-then-write race); the error wraps ErrKeyExists.
func writeFileAtomic(path string, data []byte, overwrite bool) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, walletDirMode); err != nil {
		return &KeyfileError{Path: path, Op: "create directory for", Err: err}
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return &KeyfileError{Path: path, Op: "write", Err: err}
	}
	tmpName := tmp.Name()
	defer func() {
		if tmp != nil {
			_ = tmp.Close()
		}
		_ = os.Remove(tmpName) // after a successful rename this is a no-op error
	}()
	if err := tmp.Chmod(keyfileMode); err != nil {
		return &KeyfileError{Path: path, Op: "write", Err: err}
	}
	if _, err := tmp.Write(data); err != nil {
		return &KeyfileError{Path: path, Op: "write", Err: err}
	}
	if err := tmp.Sync(); err != nil {
		return &KeyfileError{Path: path, Op: "write", Err: err}
	}
	if err := tmp.Close(); err != nil {
		tmp = nil
		return &KeyfileError{Path: path, Op: "write", Err: err}
	}
	tmp = nil
	if overwrite {
		if err := os.Rename(tmpName, path); err != nil {
			return &KeyfileError{Path: path, Op: "write", Err: err}
		}
	} else if err := os.Link(tmpName, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return &KeyfileError{Path: path, Op: "write", Err: ErrKeyExists}
		}
		return &KeyfileError{Path: path, Op: "write", Err: err}
	}
	syncDir(dir)
	return nil
}

// syncDir makes the directory entry durable; best effort (not all file
// systems support fsync on directories).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}

// readKeyfile reads a key or pub file, mapping a missing file to ErrKeyNotFound.
func readKeyfile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, &KeyfileError{Path: path, Op: "read", Err: ErrKeyNotFound}
		}
		return nil, &KeyfileError{Path: path, Op: "read", Err: err}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxKeyfileRead+1))
	if err != nil {
		return nil, &KeyfileError{Path: path, Op: "read", Err: err}
	}
	if len(data) > maxKeyfileRead {
		return nil, &KeyfileError{Path: path, Op: "read", Err: fmt.Errorf("%w: larger than %d bytes", ErrKeyfileFormat, maxKeyfileRead)}
	}
	return data, nil
}

func fileExists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// WriteFileAtomic writes a secret file the way this package writes key
// files: mode 0600 (directories 0700), temp file + fsync + rename, and
// without overwrite an atomic refusal (wrapping ErrKeyExists) if path exists.
func WriteFileAtomic(path string, data []byte, overwrite bool) error {
	return writeFileAtomic(path, data, overwrite)
}

// ReadKeyfile reads a key file of at most 1 MiB; a missing file wraps
// ErrKeyNotFound.
func ReadKeyfile(path string) ([]byte, error) { return readKeyfile(path) }
